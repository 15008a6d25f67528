package com.postroom.web;

import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

import jakarta.servlet.http.HttpServletResponse;

import com.postroom.problem.Problem;
import com.postroom.api.ApiException;

/**
 * A page that refuses (wrong role, unknown id, bad input) answers with the same status and sentence as the API, as a
 * page. Anything unexpected is logged with a reference, and the page shows only that reference.
 */
@ControllerAdvice(annotations = WebPage.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
public class UiErrors {

    @ExceptionHandler(Problem.class)
    String refused(Problem e, Model model, HttpServletResponse response) {
        return page(e, model, response);
    }

    /** The refusal page for a problem: its status and sentence. For a page's own handler that only handles some. */
    public static String page(Problem e, Model model, HttpServletResponse response) {
        HttpStatus status = ApiException.statusOf(e);
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("reason", status.getReasonPhrase());
        model.addAttribute("message", e.getMessage());
        return "error-page";
    }

    @ExceptionHandler(org.springframework.web.bind.MissingServletRequestParameterException.class)
    String missing(org.springframework.web.bind.MissingServletRequestParameterException e, Model model,
                   HttpServletResponse response) {
        return refused(Problem.badInput("The form is missing '" + e.getParameterName() + "'."), model,
                response);
    }

    @ExceptionHandler(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
    String mismatch(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e, Model model,
                    HttpServletResponse response) {
        return refused(Problem.notFound("No such page: '" + e.getName() + "' is not valid here."), model,
                response);
    }

    /**
     * The browser went away (a closed tab ends the new-mail event stream, a reload cuts a page short): nothing to
     * show and nothing wrong, so no error and no stack trace in the log.
     */
    @ExceptionHandler({org.springframework.web.context.request.async.AsyncRequestNotUsableException.class,
            org.apache.catalina.connector.ClientAbortException.class})
    void clientLeft(Exception e) {
        log.debug("Client left: {}", e.toString());
    }

    /** Two changes to the same mail met in the database; this one was undone whole (see ApiErrorHandler). */
    @ExceptionHandler(org.springframework.dao.PessimisticLockingFailureException.class)
    String collided(org.springframework.dao.PessimisticLockingFailureException e, Model model,
                    HttpServletResponse response) {
        return refused(Problem.collided(), model, response);
    }

    @ExceptionHandler(Exception.class)
    String unexpected(Exception e, Model model, HttpServletResponse response) {
        if (clientGone(e) || response.isCommitted()) {
            // A stream or page already under way cannot become an error page; a reset connection is the browser
            // leaving (a closed tab, a reload), not a fault.
            log.debug("Request ended early: {}", e.toString());
            return null;
        }
        String reference = java.util.UUID.randomUUID().toString().substring(0, 8);
        log.error("Unhandled error on a page, reference {}", reference, e);
        response.setStatus(500);
        model.addAttribute("status", 500);
        model.addAttribute("reason", "Internal Server Error");
        model.addAttribute("message", "Something went wrong on our side (reference " + reference + "); the server "
                + "log has the details.");
        return "error-page";
    }

    /** The connection is gone: a reset, a broken pipe, an async request that timed out or can no longer be used. */
    static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.springframework.web.context.request.async.AsyncRequestNotUsableException
                    || t instanceof org.springframework.web.context.request.async.AsyncRequestTimeoutException
                    || t instanceof org.apache.catalina.connector.ClientAbortException
                    || t instanceof java.io.EOFException
                    || t instanceof java.io.IOException io && io.getMessage() != null
                    && (io.getMessage().contains("Broken pipe") || io.getMessage().contains("Connection reset"))) {
                return true;
            }
        }
        return false;
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UiErrors.class);
}
