package com.postroom.policy;

import java.util.List;

/** The policy decision returned with a send (ORIGINAL-API.md): ALLOW, WARN, REQUIRE_CONFIRMATION or BLOCK. */
public record Decision(String decision, List<String> ruleIds, List<Reason> reasons) {

    public record Reason(String ruleId, String message, String severity) {
    }

    public static final String SEND_ALLOW = "EMAIL.SEND.ALLOW.v1";
    public static final String SENDER_MISSING = "EMAIL.SENDER.MISSING.v1";
    public static final String RECIPIENTS_MISSING = "EMAIL.RECIPIENTS.MISSING.v1";

    public static Decision allow() {
        return new Decision("ALLOW", List.of(SEND_ALLOW),
                List.of(new Reason(SEND_ALLOW, "Message accepted into the outbox", "info")));
    }

    public static Decision block(List<Reason> reasons) {
        return new Decision("BLOCK", reasons.stream().map(Reason::ruleId).toList(), reasons);
    }
}
