package com.postroom.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * A patient statement as the billing side sends it (ORIGINAL-API.md, "Patient statement email"). Amounts are exact
 * decimals; never floating point for money.
 */
record Statement(String template, String to, String patientName, String statementNumber, LocalDate statementDate,
                 LocalDate dueDate, LocalDate serviceDate, List<Charge> charges, BigDecimal totalCharges,
                 BigDecimal insurancePaid, BigDecimal adjustments, BigDecimal balanceDue, BigDecimal paymentAmount,
                 BigDecimal remainingBalance, String companyName, String companyPhone, String companyEmail) {

    /** The bulk stream statements belong to: a patient can leave it (one-click unsubscribe) and keep other mail. */
    static final String STREAM = "statements";

    static final Set<String> KINDS = Set.of("initial_statement", "friendly_reminder", "second_notice", "final_notice",
            "payment_confirmation", "paid_in_full", "address_issue");

    record Charge(String service, LocalDate date, BigDecimal amount) {
    }

    static String money(BigDecimal amount) {
        return amount == null ? "0.00" : amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    /** "initial_statement" as people say it: "Initial statement". */
    static String label(String kind) {
        String words = kind.replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The kinds in the order a billing office meets them (the settings page lists them so). */
    static final List<String> KINDS_IN_ORDER = List.of("initial_statement", "friendly_reminder", "second_notice",
            "final_notice", "payment_confirmation", "paid_in_full", "address_issue");

    /**
     * The built-in subject of a kind, in Mustachio: ORIGINAL-API.md's for statements that ask for payment; the others
     * say what they are.
     */
    static String defaultSubject(String kind) {
        return switch (kind) {
            case "payment_confirmation" -> "Payment Received - Statement #{{StatementNumber}}";
            case "paid_in_full" -> "Paid in Full - Statement #{{StatementNumber}}";
            case "address_issue" -> "Please Update Your Address - Statement #{{StatementNumber}}";
            default -> "Statement #{{StatementNumber}} - Balance Due: ${{BalanceDue}}";
        };
    }
}
