package dev.meshgate.proxy.testapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A minimal proxy app for socket tests: mesh routing plus a listener binding the test can point anywhere. */
@SpringBootApplication
public class TestProxyApplication {

    @Bean
    TestListenerBinding testListenerBinding() {
        return new TestListenerBinding();
    }
}
