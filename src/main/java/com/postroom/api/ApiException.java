package com.postroom.api;

import java.util.Map;

import org.springframework.http.HttpStatus;

import com.postroom.problem.Problem;

/**
 * A {@link Problem} raised where HTTP itself is the subject (a 501 for an unconfigured webhook, a 502 from a mail
 * server, a 412), with the status it names; everything else throws the domain's {@code Problem.notFound},
 * {@code refused}, {@code forbidden}... The status of any problem is {@link #statusOf}; the one error shape is
 * {@link #bodyOf}.
 */
public class ApiException extends Problem {

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, null);
    }

    public ApiException(HttpStatus status, String detail, Object body) {
        super(kindOf(status), detail, body);
    }

    public HttpStatus status() {
        return statusOf(this);
    }

    public Object body() {
        return bodyOf(this);
    }

    /** The one JSON error shape {"detail": "..."}, or the body the original API prescribes for this answer. */
    public static Object bodyOf(Problem p) {
        return p.prescribedBody() != null ? p.prescribedBody() : Map.of("detail", p.getMessage());
    }

    public static HttpStatus statusOf(Problem p) {
        return switch (p.kind()) {
            case BAD_INPUT -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case PRECONDITION_FAILED -> HttpStatus.PRECONDITION_FAILED;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case REFUSED -> HttpStatus.UNPROCESSABLE_CONTENT;
            case LOCKED -> HttpStatus.LOCKED;
            case TOO_MANY -> HttpStatus.TOO_MANY_REQUESTS;
            case NOT_CONFIGURED -> HttpStatus.NOT_IMPLEMENTED;
            case UPSTREAM_FAILED -> HttpStatus.BAD_GATEWAY;
        };
    }

    private static Kind kindOf(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST, METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE -> Kind.BAD_INPUT;
            case UNAUTHORIZED -> Kind.UNAUTHENTICATED;
            case FORBIDDEN -> Kind.FORBIDDEN;
            case NOT_FOUND -> Kind.NOT_FOUND;
            case CONFLICT -> Kind.CONFLICT;
            case PRECONDITION_FAILED -> Kind.PRECONDITION_FAILED;
            case CONTENT_TOO_LARGE -> Kind.TOO_LARGE;
            case UNPROCESSABLE_CONTENT -> Kind.REFUSED;
            case LOCKED -> Kind.LOCKED;
            case TOO_MANY_REQUESTS -> Kind.TOO_MANY;
            case NOT_IMPLEMENTED -> Kind.NOT_CONFIGURED;
            case BAD_GATEWAY, SERVICE_UNAVAILABLE, GATEWAY_TIMEOUT -> Kind.UPSTREAM_FAILED;
            default -> throw new IllegalArgumentException("No problem kind for " + status);
        };
    }
}
