package com.postroom.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class SettingsConfiguration {

    @Bean
    PostroomSettings postroomSettings(Environment environment) {
        return PostroomSettings.read(new Env(environment));
    }
}
