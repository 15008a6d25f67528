package com.postroom.postmarkapi;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Every refusal of the Postmark API in Postmark's shape; nothing else (no stack trace, no Postroom error shape). */
@RestControllerAdvice(assignableTypes = {SendingApi.class, ReadingApi.class, SuppressionApi.class, TemplateApi.class, WebhookApi.class,
    ServerApi.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class PostmarkErrors {

    private static final Logger log = LoggerFactory.getLogger(PostmarkErrors.class);

    @ExceptionHandler(PostmarkError.class)
    ResponseEntity<Map<String, Object>> refused(PostmarkError e) {
        return ResponseEntity.status(e.status()).body(e.body());
    }

    /** A path or query value of the wrong type, or a missing one: an invalid request, said in Postmark's words. */
    @ExceptionHandler({org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class,
        org.springframework.web.bind.MissingServletRequestParameterException.class,
        org.springframework.http.converter.HttpMessageNotReadableException.class})
    ResponseEntity<Map<String, Object>> unreadable(Exception e) {
        com.postroom.problem.Problem tooLarge = com.postroom.problem.Problem.bodyTooLarge(e);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        String what = e instanceof org.springframework.web.method.annotation.MethodArgumentTypeMismatchException m
                ? "'" + m.getName() + "' must be a number; got '" + m.getValue() + "'."
                : e instanceof org.springframework.web.bind.MissingServletRequestParameterException m
                ? "'" + m.getParameterName() + "' is required." : "Received invalid JSON input.";
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(PostmarkError.body(
                e instanceof org.springframework.http.converter.HttpMessageNotReadableException
                        ? PostmarkError.INVALID_JSON : PostmarkError.INVALID_REQUEST, what));
    }

    /** A body past the server's limit (api.RequestBodyLimit): 413, with Postmark's invalid-request code. */
    private static ResponseEntity<Map<String, Object>> tooLarge(com.postroom.problem.Problem tooLarge) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(PostmarkError.body(
                PostmarkError.INVALID_REQUEST, tooLarge.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> failed(Exception e) {
        com.postroom.problem.Problem tooLarge = com.postroom.problem.Problem.bodyTooLarge(e);
        if (tooLarge != null) {
            return tooLarge(tooLarge);
        }
        if (com.postroom.problem.Problem.isNulCharacter(e)) {
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(PostmarkError.body(
                    PostmarkError.INVALID_REQUEST, com.postroom.problem.Problem.nulCharacter().getMessage()));
        }
        log.error("The Postmark API failed", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(PostmarkError.body(
                1, "Postroom could not take the request; try again (the "
                        + "error is in its log)."));
    }
}
