package dev.meshgate.proxy.aot;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;

/**
 * At {@code process-aot}: records the {@link BuildEnvironment} the conditions were decided from, as a resource beside
 * the generated code, for {@link BuildEnvironmentCheck} to compare a run with. Only the application context's: the
 * management child context is processed from the same environment.
 */
final class BuildEnvironmentAotProcessor implements BeanFactoryInitializationAotProcessor {

    @Override
    public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
            ConfigurableListableBeanFactory beanFactory) {
        if (beanFactory.getParentBeanFactory() != null || !beanFactory.containsBean("environment")) {
            return null;
        }
        String recorded = BuildEnvironment.of(beanFactory.getBean("environment", Environment.class))
                .toPropertiesText();
        return (generationContext, code) -> generationContext.getGeneratedFiles()
                .addResourceFile(BuildEnvironment.RESOURCE, recorded);
    }
}
