package com.postroom.org;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.config.ConfigurationError;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailEndpoints;

/**
 * First start on an empty database: creates the organization and its administrator. In sandbox mode they are the
 * demo organization {@code postroom.test} and {@code founder@postroom.test}. The password is POSTROOM_ADMIN_PASSWORD,
 * or generated here and shown once in the start-up banner. Runs once all beans exist and before the web server
 * starts, so no request can arrive before the administrator does.
 */
@Component
public class Bootstrap implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

    private final Organizations organizations;
    private final Users users;
    private final PasswordEncoder passwords;
    private final PostroomSettings settings;
    private final MailEndpoints endpoints;
    private final TransactionTemplate tx;
    private volatile Optional<Secret> generatedPassword = Optional.empty();
    private volatile String adminEmail;

    Bootstrap(Organizations organizations, Users users, PasswordEncoder passwords, PostroomSettings settings,
              MailEndpoints endpoints, TransactionTemplate tx) {
        this.organizations = organizations;
        this.users = users;
        this.passwords = passwords;
        this.settings = settings;
        this.endpoints = endpoints;
        this.tx = tx;
    }

    @Override
    public void afterSingletonsInstantiated() {
        PostroomSettings.Bootstrap b = settings.bootstrap();
        EmailAddress admin = endpoints.sandbox() && endpoints.identities().founder().isPresent()
                ? endpoints.identities().founder().get()
                : b.adminEmail().orElseThrow(() -> new ConfigurationError("POSTROOM_ADMIN_EMAIL (or FOUNDER_EMAIL) "
                        + "must be set so that the first start can create the administrator."));
        adminEmail = admin.address();
        tx.executeWithoutResult(status -> {
            if (organizations.count() > 0) {
                return;
            }
            String name = endpoints.sandbox() ? "Postroom Demo" : b.orgName();
            String domain = endpoints.sandbox() ? admin.domain()
                    : b.orgDomain().isBlank() ? admin.domain() : b.orgDomain();
            long orgId = organizations.create(name, domain);
            Secret password = b.adminPassword().orElseGet(() -> {
                Secret generated = Secret.of(generate());
                generatedPassword = Optional.of(generated);
                return generated;
            });
            users.create(orgId, admin.address(), passwords.encode(password.reveal()),
                    Set.of(Caller.FOUNDER, Caller.ADMIN));
            log.info("Created organization '{}' ({}) and administrator {}", name, domain, admin.address());
        });
    }

    private static String generate() {
        byte[] bytes = new byte[15];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The administrator's password when this start generated it; shown once, by the banner. */
    public Optional<Secret> generatedPassword() {
        return generatedPassword;
    }

    public String adminEmail() {
        return adminEmail;
    }
}
