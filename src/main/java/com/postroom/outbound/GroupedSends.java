package com.postroom.outbound;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Concurrent sends accepted together ({@link GroupCommit}): each request hands its draft here and waits until the
 * group that carries it is committed through {@link SendingCore#queueAll}, one statement per table for the group.
 * The answer is the same as {@link SendingCore#queue}'s: a message is durable when it returns.
 *
 * <p>Only for a send that is the caller's only write: the group is written in a transaction of its own, so a caller
 * that must write something else atomically with the message (an idempotency record) uses the core directly.
 */
@Service
public class GroupedSends {

    /** Enough to carry a burst; small enough that no request waits behind a long transaction. */
    static final int MAX_GROUP = 64;

    private final GroupCommit<OutboundDraft, SendingCore.Outcome> group;

    GroupedSends(SendingCore core, PlatformTransactionManager transactions) {
        this.group = new GroupCommit<>(new TransactionTemplate(transactions), MAX_GROUP, drafts -> {
            // queueAll takes the drafts of one organization; a group may hold several.
            Map<Long, List<Integer>> byOrg = new LinkedHashMap<>();
            for (int i = 0; i < drafts.size(); i++) {
                byOrg.computeIfAbsent(drafts.get(i).orgId(), o -> new ArrayList<>()).add(i);
            }
            SendingCore.Outcome[] outcomes = new SendingCore.Outcome[drafts.size()];
            byOrg.values().forEach(positions -> {
                List<SendingCore.Outcome> some = core.queueAll(positions.stream().map(drafts::get).toList());
                for (int k = 0; k < positions.size(); k++) {
                    outcomes[positions.get(k)] = some.get(k);
                }
            });
            return List.of(outcomes);
        });
    }

    /** Queued, or the refusal thrown as {@link SendingCore#queue} throws it. */
    public SendingCore.Queued queue(OutboundDraft draft) {
        SendingCore.Outcome outcome = submit(draft);
        if (outcome.refusal() != null) {
            throw outcome.refusal();
        }
        return outcome.queued();
    }

    /** The draft's outcome once its group is committed; an unexpected failure of the write is rethrown. */
    public SendingCore.Outcome submit(OutboundDraft draft) {
        return group.submit(draft);
    }

    /** Writes these drafts as one group now (tests: which requests share a group depends on timing). */
    List<Object> writeAsOneGroup(List<OutboundDraft> drafts) {
        return group.writeAsOneGroup(drafts);
    }
}
