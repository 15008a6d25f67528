package com.postroom.config;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Installs {@link TrustedProxyValve} in Tomcat, for TRUSTED_PROXIES. */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> trustedProxies(PostroomSettings settings) {
        return factory -> factory.addEngineValves(new TrustedProxyValve(settings.http().trustedProxies()));
    }
}
