package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.util.ClassUtils;

class BuildTimeConditionsTest {

    @Test
    void noAutoConfigurationOfAProxyHasAConditionThatARunsPropertiesDecide() {
        ClassLoader loader = getClass().getClassLoader();
        List<Class<?>> own = new java.util.ArrayList<>();
        ImportCandidates.load(AutoConfiguration.class, loader).forEach(name -> {
            if (name.startsWith("dev.meshgate.")) {
                own.add(ClassUtils.resolveClassName(name, loader));
            }
        });
        ImportCandidates.load(ManagementContextConfiguration.class, loader).forEach(name -> {
            if (name.startsWith("dev.meshgate.")) {
                own.add(ClassUtils.resolveClassName(name, loader));
            }
        });

        assertThat(own).hasSizeGreaterThan(10);
        assertThat(BuildTimeConditions.in(own)).isEmpty();
    }

    @Test
    void propertyProfileAndExpressionConditionsAreFoundOnClassesBeanMethodsAndNestedClassesButBeanConditionsAreNot() {
        assertThat(BuildTimeConditions.in(List.of(Switched.class))).containsExactlyInAnyOrder(
                Switched.class.getName() + "#byProperty: OnPropertyCondition",
                Switched.Nested.class.getName() + ": ProfileCondition",
                Switched.Nested.class.getName() + "#byExpression: OnExpressionCondition");
    }

    @Configuration(proxyBeanMethods = false)
    static class Switched {

        @Bean
        @ConditionalOnProperty("some.switch")
        String byProperty() {
            return "";
        }

        @Bean
        @ConditionalOnBean(String.class)
        Integer byBean() {
            return 1;
        }

        @Configuration(proxyBeanMethods = false)
        @Profile("special")
        static class Nested {

            @Bean
            @ConditionalOnExpression("${other.switch:false}")
            Long byExpression() {
                return 1L;
            }
        }
    }
}
