package com.postroom.api;

import org.springframework.http.converter.HttpMessageNotReadableException;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/** Says in a few words where a JSON body went wrong, without echoing its content. */
final class JsonProblem {

    private JsonProblem() {
    }

    static String describe(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause instanceof DatabindException d && !d.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (var ref : d.getPath()) {
                if (ref.getPropertyName() != null) {
                    path.append(path.length() > 0 ? "." : "").append(ref.getPropertyName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return "the field '" + path + "' has the wrong type";
        }
        if (cause instanceof JacksonException j && j.getLocation() != null) {
            return "syntax error at line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr();
        }
        return "the body is missing or unreadable";
    }
}
