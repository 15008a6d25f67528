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

    /** Sessions to mail servers, trusting MAIL_TLS_CA_FILE besides the system's CAs. */
    @Bean
    com.postroom.mail.MailSessions mailSessions(PostroomSettings settings) {
        return new com.postroom.mail.MailSessions(settings.tlsCaFile());
    }
}
