package com.postroom.web;

import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * An answer other than success, in the one error shape {@code {"detail": "..."}}: a status and a sentence that says
 * what to fix. {@link #body} replaces the shape where ORIGINAL-API.md prescribes another body (a 423 with a decision).
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final transient Object body;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, null);
    }

    public ApiException(HttpStatus status, String detail, Object body) {
        super(detail, null, false, false);
        this.status = status;
        this.body = body;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, detail);
    }

    public static ApiException unprocessable(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail);
    }

    public HttpStatus status() {
        return status;
    }

    public Object body() {
        return body != null ? body : Map.of("detail", getMessage());
    }
}
