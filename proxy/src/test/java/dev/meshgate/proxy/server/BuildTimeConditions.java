package dev.meshgate.proxy.server;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;

/**
 * Finds the conditions on meshgate's own configuration that Spring AOT would freeze at build time: every
 * {@code @Conditional} except those whose outcome is the same for every run of one app (which beans and classes it
 * has, that it is a reactive web app). A property-driven condition ({@code @ConditionalOnProperty},
 * {@code @ConditionalOnExpression}, {@code @Profile}, management-port, endpoint or health-indicator conditions, a
 * custom one) is evaluated once by {@code process-aot} against the build's properties and a run's own values are then
 * ignored: a proxy would silently run another mode (with credentials, without mutual TLS). Such a switch is read
 * when the bean is created instead (a {@code null} bean, docs/performance.md "Spring AOT").
 */
public final class BuildTimeConditions {

    /** Conditions decided by what one app is, never by a run's properties. */
    static final Set<String> APP_FIXED = Set.of(
            "org.springframework.boot.autoconfigure.condition.OnBeanCondition",
            "org.springframework.boot.autoconfigure.condition.OnClassCondition",
            "org.springframework.boot.autoconfigure.condition.OnWebApplicationCondition");

    private static final String OWN_PACKAGE = "dev.meshgate.";

    private BuildTimeConditions() {
    }

    /**
     * Every run-dependent condition on meshgate's classes that {@code beanFactory} registered beans from or
     * evaluated conditions of, and on meshgate's auto-configurations and management context configurations;
     * one line each, naming the class or method and the condition.
     */
    public static List<String> in(ConfigurableListableBeanFactory beanFactory) {
        ClassLoader loader = beanFactory.getBeanClassLoader();
        Set<String> classes = new LinkedHashSet<>();
        for (String name : beanFactory.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getBeanDefinition(name);
            if (definition.getBeanClassName() != null) {
                classes.add(definition.getBeanClassName());
            }
            if (definition instanceof AnnotatedBeanDefinition annotated) {
                classes.add(annotated.getMetadata().getClassName());
                if (annotated.getFactoryMethodMetadata() != null) {
                    classes.add(annotated.getFactoryMethodMetadata().getDeclaringClassName());
                }
            }
        }
        ConditionEvaluationReport.get(beanFactory).getConditionAndOutcomesBySource().keySet()
                .forEach(source -> classes.add(source.contains("#") ? source.substring(0, source.indexOf('#'))
                        : source));
        ImportCandidates.load(AutoConfiguration.class, loader).forEach(classes::add);
        ImportCandidates.load(ManagementContextConfiguration.class, loader).forEach(classes::add);
        List<Class<?>> own = new ArrayList<>();
        for (String name : classes) {
            if (name.startsWith(OWN_PACKAGE)) {
                own.add(ClassUtils.resolveClassName(name, loader));
            }
        }
        return in(own);
    }

    /** The run-dependent conditions on these classes, their nested classes and their {@code @Bean} methods. */
    public static List<String> in(Collection<Class<?>> configurations) {
        List<String> found = new ArrayList<>();
        Set<Class<?>> seen = new LinkedHashSet<>();
        List<Class<?>> pending = new ArrayList<>(configurations);
        while (!pending.isEmpty()) {
            Class<?> type = pending.remove(pending.size() - 1);
            if (!seen.add(type)) {
                continue;
            }
            check(type, type.getName(), found);
            for (Method method : type.getDeclaredMethods()) {
                if (MergedAnnotations.from(method).isPresent(Bean.class)) {
                    check(method, type.getName() + "#" + method.getName(), found);
                }
            }
            pending.addAll(Arrays.asList(type.getDeclaredClasses()));
        }
        return found;
    }

    private static void check(AnnotatedElement element, String where, List<String> found) {
        MergedAnnotations.from(element, MergedAnnotations.SearchStrategy.DIRECT).stream(Conditional.class)
                .map(MergedAnnotation::synthesize)
                .flatMap(conditional -> Arrays.stream(conditional.value()))
                .filter(condition -> !APP_FIXED.contains(condition.getName()))
                .forEach(condition -> found.add(where + ": " + condition.getSimpleName()));
    }
}
