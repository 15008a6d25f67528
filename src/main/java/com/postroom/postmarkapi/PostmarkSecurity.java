package com.postroom.postmarkapi;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;

/**
 * Postmark's paths answer to Postmark's credential, the server token ({@link PostmarkTokenFilter}): no session, no
 * CSRF token (API clients send neither), and they come before the UI's chain, which would send them to a login page.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class PostmarkSecurity {

    static final String[] PATHS = {"/email", "/email/**", "/messages/**", "/bounces", "/bounces/**",
        "/message-streams", "/message-streams/**", "/templates", "/templates/**",
        "/webhooks", "/webhooks/**", "/server", "/server/", "/deliverystats", "/deliverystats/",
        "/deliveryStats", "/deliveryStats/", "/stats/**", "/triggers/**"};

    @Bean
    @Order(0)
    SecurityFilterChain postmarkChain(HttpSecurity http, PostmarkServers servers) throws Exception {
        http.securityMatcher(PATHS)
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(r -> r.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .addFilterBefore(new PostmarkTokenFilter(servers), UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }
}
