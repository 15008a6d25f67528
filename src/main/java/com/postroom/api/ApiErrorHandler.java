package com.postroom.api;

import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import com.postroom.problem.Problem;

/**
 * Every error of the JSON API leaves here as {@code {"detail": "..."}} with the right status. An unexpected exception
 * is logged with a reference and answered with that reference only: no stack trace, class name or message of
 * unknown content reaches a client.
 */
@RestControllerAdvice(basePackages = "com.postroom")
class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    /** A service's or a controller's refusal, with its status and sentence. */
    @ExceptionHandler(Problem.class)
    ResponseEntity<Object> problem(Problem e) {
        return ResponseEntity.status(ApiException.statusOf(e)).body(ApiException.bodyOf(e));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e) {
        Problem tooLarge = Problem.bodyTooLarge(e);
        if (tooLarge != null) {
            return problem(tooLarge);
        }
        return detail(HttpStatus.BAD_REQUEST, "The request body is not valid JSON of the expected shape: "
                + JsonProblem.describe(e) + ".");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        return detail(HttpStatus.BAD_REQUEST, "The parameter '" + e.getName() + "' has a value of the wrong type.");
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Object> missingParameter(MissingServletRequestParameterException e) {
        return detail(HttpStatus.BAD_REQUEST, "The query parameter '" + e.getParameterName() + "' is required.");
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<Object> missingHeader(MissingRequestHeaderException e) {
        return detail(HttpStatus.BAD_REQUEST, "The header '" + e.getHeaderName() + "' is required.");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e) {
        return detail(HttpStatus.METHOD_NOT_ALLOWED, "This route does not accept " + e.getMethod() + ".");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e) {
        return detail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Object> tooLarge(MaxUploadSizeExceededException e) {
        return detail(HttpStatus.CONTENT_TOO_LARGE, "The upload is larger than this server accepts.");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Object> noRoute(NoResourceFoundException e) {
        return detail(HttpStatus.NOT_FOUND, "Not Found");
    }

    /**
     * Two changes to the same mail met in the database (a deadlock) and PostgreSQL
     * undid this one whole: nothing changed, and asking again works.
     */
    @ExceptionHandler(org.springframework.dao.PessimisticLockingFailureException.class)
    ResponseEntity<Object> collided(org.springframework.dao.PessimisticLockingFailureException e) {
        log.info("A change met another on the same rows and was undone: {}", e.getMostSpecificCause().getMessage());
        return problem(Problem.collided());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        if (Problem.isNulCharacter(e)) {
            return problem(Problem.nulCharacter());
        }
        Problem tooLarge = Problem.bodyTooLarge(e);
        if (tooLarge != null) {
            return problem(tooLarge);
        }
        String reference = UUID.randomUUID().toString().substring(0, 8);
        log.error("Unhandled error, reference {}", reference, e);
        return detail(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error (reference " + reference
                + "); the server log has the details.");
    }

    static ResponseEntity<Object> detail(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(Map.of("detail", detail));
    }
}
