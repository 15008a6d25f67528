package com.postroom.postmarkapi;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A refusal as Postmark gives it: an HTTP status (422 for a bad request, 401 for a bad token) and
 * {@code {"ErrorCode": n, "Message": "..."}} with Postmark's codes, which its clients turn into their own exceptions.
 */
final class PostmarkError extends RuntimeException {

    static final int BAD_TOKEN = 10;
    static final int INVALID_REQUEST = 300;
    static final int SENDER_NOT_ALLOWED = 400;
    static final int INVALID_JSON = 402;
    static final int INACTIVE_RECIPIENT = 406;
    static final int TOO_MANY_BATCH_MESSAGES = 410;
    static final int STREAM_NOT_FOUND = 1235;

    private final HttpStatus status;
    private final int code;

    PostmarkError(HttpStatus status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static PostmarkError invalid(int code, String message) {
        return new PostmarkError(HttpStatus.UNPROCESSABLE_CONTENT, code, message);
    }

    HttpStatus status() {
        return status;
    }

    int code() {
        return code;
    }

    Map<String, Object> body() {
        return body(code, getMessage());
    }

    static Map<String, Object> body(int code, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ErrorCode", code);
        out.put("Message", message);
        return out;
    }
}
