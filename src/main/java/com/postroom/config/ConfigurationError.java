package com.postroom.config;

/**
 * A setting is missing or wrong. The message is one sentence that names the variable and says what to fix; it is
 * printed instead of a stack trace when start-up stops (see {@link ConfigurationErrorAnalyzer}).
 */
public class ConfigurationError extends RuntimeException {

    public ConfigurationError(String sentence) {
        super(sentence);
    }
}
