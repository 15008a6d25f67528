package com.postroom.org;

import java.nio.charset.StandardCharsets;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The API is stateless: every request carries a bearer token. 401 and 403 bodies are those of ORIGINAL-API.md.
 * Routes that Postmark or the public call (login, contact form, webhooks) need no token; the webhooks check their
 * own credentials.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfiguration {

    static final String UNAUTHORIZED_BODY = "{\"detail\":\"Could not validate credentials\"}";
    static final String FORBIDDEN_BODY = "{\"detail\":\"Insufficient permissions\"}";

    @Bean
    SecurityFilterChain apiChain(HttpSecurity http, Tokens tokens, JwtAuthenticator jwt) throws Exception {
        http.securityMatcher("/api/**", "/actuator/**", "/error")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, "/api/auth/login", "/api/contact", "/api/v1/contact",
                                "/api/email/inbound/postmark", "/api/founder/email/webhook/inbound",
                                "/api/email/webhooks/postmark/**").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/error")
                        .permitAll()
                        .requestMatchers("/actuator/**").hasAnyRole(Caller.ADMIN, Caller.SUPERADMIN)
                        .anyRequest().authenticated())
                .addFilterBefore(new BearerTokenFilter(tokens, jwt), UsernamePasswordAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> write(res, 401, UNAUTHORIZED_BODY))
                        .accessDeniedHandler((req, res, ex) -> write(res, 403, FORBIDDEN_BODY)));
        return http.build();
    }

    private static void write(HttpServletResponse response, int status, String body) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
}
