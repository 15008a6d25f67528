package com.postroom.org;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/** Password hashing, needed with or without the web server (the CLI creates users too). */
@Configuration(proxyBeanMethods = false)
class PasswordConfiguration {

    /** bcrypt, cost 12: about a quarter of a second per check on this class of machine. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(12);
    }
}
