package com.postroom.org;

import java.util.Set;

import org.springframework.security.core.context.SecurityContextHolder;

import com.postroom.problem.Problem;

/**
 * Who is calling: the user, their organization and roles. Every query that reads or writes mail is scoped with
 * {@link #orgId()}; nothing in Postroom takes an organization from the request itself.
 */
public record Caller(long userId, long orgId, String email, Set<String> roles) implements java.io.Serializable {

    public static final String ADMIN = "admin";
    public static final String FOUNDER = "founder";
    public static final String BILLING = "billing";
    public static final String DISPATCHER = "dispatcher";
    public static final String COMPLIANCE = "compliance";
    public static final String MEDICAL_DIRECTOR = "medical_director";
    public static final String OPS_ADMIN = "ops_admin";
    public static final String SUPERADMIN = "superadmin";
    public static final Set<String> ALL_ROLES = Set.of(ADMIN, FOUNDER, BILLING, DISPATCHER, COMPLIANCE,
            MEDICAL_DIRECTOR, OPS_ADMIN, SUPERADMIN);

    public Caller {
        roles = Set.copyOf(roles);
    }

    /** The signed-in caller of this request; the security filter chain guarantees there is one on /api routes. */
    public static Caller current() {
        var auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Caller caller) {
            return caller;
        }
        throw new Problem(Problem.Kind.UNAUTHENTICATED, "Could not validate credentials");
    }

    public boolean hasAnyRole(Set<String> wanted) {
        return roles.contains(SUPERADMIN) || wanted.stream().anyMatch(roles::contains);
    }

    /** 403 {"detail":"Insufficient permissions"} unless the caller has one of the roles (ORIGINAL-API.md, "Roles"). */
    public Caller require(String... wanted) {
        return requireOr("Insufficient permissions", wanted);
    }

    public Caller requireOr(String detail, String... wanted) {
        if (!hasAnyRole(Set.of(wanted))) {
            throw Problem.forbidden(detail);
        }
        return this;
    }
}
