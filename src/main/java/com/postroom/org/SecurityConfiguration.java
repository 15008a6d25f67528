package com.postroom.org;

import java.nio.charset.StandardCharsets;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Two filter chains. The API (/api, /actuator) is stateless: every request carries a bearer token; 401 and 403
 * bodies are those of ORIGINAL-API.md; routes that Postmark or the public call (login, contact form, webhooks) need
 * no token, and the webhooks check their own credentials. The web UI (everything else) signs in with a form into a
 * session; a session cookie is never an API credential, and a bearer token never opens a page.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfiguration {

    static final String UNAUTHORIZED_BODY = "{\"detail\":\"Could not validate credentials\"}";
    static final String FORBIDDEN_BODY = "{\"detail\":\"Insufficient permissions\"}";

    /**
     * No observation around each security filter. The property {@code management.observations.enable.spring.security}
     * only turns those observations into no-ops: the chain was still wrapped filter by filter, and building the
     * wrappers' contexts was a tenth of an API request's CPU. Metrics stay per route (http.server.requests).
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    @org.springframework.core.annotation.Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, Tokens tokens, JwtAuthenticator jwt,
                                 com.postroom.config.PostroomSettings settings) throws Exception {
        java.util.List<String> origins = settings.http().corsAllowedOrigins();
        http.securityMatcher("/api/**", "/actuator/**", "/error")
                // CORS before authentication: a browser's preflight carries no credentials and is answered here.
                .cors(c -> c.configurationSource(cors(origins)))
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
                .addFilterBefore(new BearerTokenFilter(tokens, jwt, origins), UsernamePasswordAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> write(res, 401, UNAUTHORIZED_BODY))
                        .accessDeniedHandler((req, res, ex) -> write(res, 403, FORBIDDEN_BODY)));
        return http.build();
    }

    /**
     * Unsubscribe links in bulk mail: open to anyone holding a link's token (it is the credential), no session, no
     * CSRF token (RFC 8058: the receiver posts the one-click request itself), the UI's strict headers.
     */
    @Bean
    @org.springframework.core.annotation.Order(0)
    SecurityFilterChain unsubscribeChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/unsubscribe/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(r -> r.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .headers(h -> h.addHeaderWriter(new ContentSecurityPolicy()).frameOptions(f -> f.disable())
                        .referrerPolicy(r -> r.policy(org.springframework.security.web.header.writers
                                .ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    /**
     * The web UI: a session cookie after signing in with a form, CSRF tokens on every change, a strict
     * Content-Security-Policy (scripts and styles only from Postroom itself, nothing inline, no framing), and the
     * usual headers. Everything not under /api or /actuator.
     */
    @Bean
    @org.springframework.core.annotation.Order(2)
    SecurityFilterChain webChain(HttpSecurity http, Users users, PasswordEncoder passwords, LoginThrottle throttle)
            throws Exception {
        http.authenticationProvider(new WebLogin(users, passwords, throttle))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/favicon.svg")
                        .permitAll()
                        // The API description is public, as it was before the UI: it names routes, not data.
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .anyRequest().authenticated())
                .formLogin(f -> f.loginPage("/login").usernameParameter("email").passwordParameter("password")
                        .defaultSuccessUrl("/", false)
                        .failureHandler((req, res, ex) -> {
                            req.getSession().setAttribute(LOGIN_ERROR, ex.getMessage());
                            // Kept so the form shows it again: only the password is typed anew.
                            String email = req.getParameter("email");
                            req.getSession().setAttribute(LOGIN_EMAIL, email == null ? ""
                                    : email.strip().substring(0, Math.min(email.strip().length(), 320)));
                            res.sendRedirect(req.getContextPath() + "/login?error");
                        }))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?signed-out")
                        .deleteCookies("JSESSIONID"))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                // A refused CSRF token is nearly always a page left open past its session: say that, with a
                // reload, instead of the generic refusal. Other refusals keep their own pages (UiErrors).
                .exceptionHandling(e -> e.accessDeniedHandler((req, res, ex) -> {
                    String accept = req.getHeader("Accept");
                    if (!(ex instanceof org.springframework.security.web.csrf.CsrfException)
                            || accept == null || !accept.contains("text/html")) { // a script gets the JSON 403
                        new org.springframework.security.web.access.AccessDeniedHandlerImpl().handle(req, res, ex);
                        return;
                    }
                    res.setStatus(403);
                    res.setContentType("text/html;charset=UTF-8");
                    res.getWriter().write(pageExpired(req));
                }))
                .headers(h -> h
                        .addHeaderWriter(new ContentSecurityPolicy())
                        .frameOptions(f -> f.disable()) // written by ContentSecurityPolicy, per page
                        .referrerPolicy(r -> r.policy(
                                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter
                                        .ReferrerPolicy.SAME_ORIGIN))
                        .permissionsPolicyHeader(p -> p.policy("camera=(), microphone=(), geolocation=(), payment=()")));
        return http.build();
    }

    /**
     * The platform's frontend on another origin (its dev setup is http://localhost:3000) calls the API with its
     * token or session cookie: only from CORS_ALLOWED_ORIGINS, never from any origin with credentials.
     */
    static org.springframework.web.cors.CorsConfigurationSource cors(java.util.List<String> origins) {
        org.springframework.web.cors.UrlBasedCorsConfigurationSource source =
                new org.springframework.web.cors.UrlBasedCorsConfigurationSource();
        if (origins.isEmpty()) {
            return source;
        }
        org.springframework.web.cors.CorsConfiguration config = new org.springframework.web.cors.CorsConfiguration();
        config.setAllowedOrigins(origins);
        config.setAllowCredentials(true);
        config.setAllowedMethods(java.util.List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        config.setAllowedHeaders(java.util.List.of("Authorization", "Content-Type", "Idempotency-Key", "Prefer",
                "X-Requested-With", "Accept"));
        config.setExposedHeaders(java.util.List.of("Link", "X-Has-More", "Retry-After", "Preference-Applied"));
        config.setMaxAge(java.time.Duration.ofHours(1));
        source.registerCorsConfiguration("/api/**", config);
        return source;
    }

    /** Session attribute that carries the reason of a failed sign-in to the login page (read by ui.LoginPage). */
    static final String LOGIN_ERROR = "postroom.login.error";
    static final String LOGIN_EMAIL = "postroom.login.email";

    /** The page for a form whose CSRF token was refused, with a link that reloads the page it came from. */
    static String pageExpired(jakarta.servlet.http.HttpServletRequest req) {
        String back = "/";
        String referer = req.getHeader("Referer");
        if (referer != null) {
            try {
                java.net.URI uri = java.net.URI.create(referer);
                // Only a path of this site, never another origin.
                if (uri.getRawPath() != null && uri.getRawPath().startsWith("/") && !uri.getRawPath().startsWith("//")
                        && (uri.getHost() == null || uri.getHost().equalsIgnoreCase(req.getServerName()))) {
                    back = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                }
            } catch (IllegalArgumentException ignored) {
                // a malformed Referer: back to the start
            }
        }
        String href = org.springframework.web.util.HtmlUtils.htmlEscape(back);
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>This page expired</title>"
                + "<link rel=\"stylesheet\" href=\"/css/postroom.css\"></head><body><main class=\"page\">"
                + "<h1>This page expired</h1><p>The page was open for a long time or you signed in again elsewhere, "
                + "so Postroom did not act on it. Nothing was changed.</p><p><a href=\"" + href
                + "\">Reload the page</a> and try again.</p></main></body></html>";
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
