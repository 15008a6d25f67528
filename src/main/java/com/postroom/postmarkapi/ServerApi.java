package com.postroom.postmarkapi;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a server token may read about its own server, as Postmark's clients ask for it: {@code GET /server}, its
 * delivery statistics ({@code GET /deliverystats}) and its two message streams ({@code GET /message-streams}). An
 * application calls these at start-up or on a status page; without them a Postmark client got the web UI's login
 * redirect. The server's token is never answered back, and nothing here changes anything.
 */
@RestController
class ServerApi {

    private final PostmarkReads reads;

    ServerApi(PostmarkReads reads) {
        this.reads = reads;
    }

    @GetMapping({"/server", "/server/"})
    Map<String, Object> server(HttpServletRequest request) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", server.id());
        out.put("Name", server.name());
        out.put("ApiTokens", List.of()); // shown once, when the server was created; Postroom keeps only a hash
        out.put("Color", "Blue");
        out.put("SmtpApiActivated", false);
        out.put("RawEmailEnabled", false);
        out.put("DeliveryType", "Live");
        out.put("ServerLink", "");
        out.put("InboundAddress", "");
        out.put("InboundHookUrl", "");
        out.put("BounceHookUrl", "");
        out.put("OpenHookUrl", "");
        out.put("DeliveryHookUrl", "");
        out.put("ClickHookUrl", "");
        out.put("PostFirstOpenOnly", false);
        out.put("InboundDomain", "");
        out.put("InboundHash", "");
        out.put("InboundSpamThreshold", 0);
        out.put("TrackOpens", false);
        out.put("TrackLinks", "None");
        out.put("IncludeBounceContentInHook", false);
        out.put("EnableSmtpApiErrorHooks", false);
        return out;
    }

    /** Inactive addresses of the organization, and this server's bounces by type ("deliveryStats" from the Java client). */
    @GetMapping({"/deliverystats", "/deliverystats/", "/deliveryStats", "/deliveryStats/"})
    Map<String, Object> deliveryStats(HttpServletRequest request) {
        return reads.deliveryStats(PostmarkTokenFilter.server(request));
    }

    @GetMapping({"/message-streams", "/message-streams/"})
    Map<String, Object> streams(HttpServletRequest request) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        OffsetDateTime created = reads.createdAt(server);
        List<Map<String, Object>> streams = List.of(PostmarkSending.OUTBOUND, PostmarkSending.BROADCAST).stream()
                .map(s -> stream(server, s, created)).toList();
        return Map.of("MessageStreams", streams, "TotalCount", streams.size());
    }

    @GetMapping({"/message-streams/{stream}", "/message-streams/{stream}/"})
    Map<String, Object> stream(HttpServletRequest request, @PathVariable String stream) {
        if (!PostmarkSending.STREAMS.contains(stream)) {
            throw PostmarkError.invalid(PostmarkError.STREAM_NOT_FOUND, "The message stream '" + stream
                    + "' was not found; this server has 'outbound' (transactional) and 'broadcast'.");
        }
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        return stream(server, stream, reads.createdAt(server));
    }

    /**
     * Parts of a Postmark server's API that Postroom does not offer (statistics, open and click tracking, inbound
     * messages and rules): a 404 in Postmark's shape that says so, not the web UI's login page.
     */
    @io.swagger.v3.oas.annotations.Hidden
    @org.springframework.web.bind.annotation.RequestMapping(value = {"/stats/**", "/triggers/**", "/messages/inbound",
        "/messages/inbound/**", "/messages/outbound/opens", "/messages/outbound/opens/**", "/messages/outbound/clicks",
        "/messages/outbound/clicks/**"}, method = {RequestMethod.GET, RequestMethod.POST, RequestMethod.PUT,
        RequestMethod.DELETE, RequestMethod.PATCH})
    org.springframework.http.ResponseEntity<Map<String, Object>> notOffered(HttpServletRequest request) {
        return org.springframework.http.ResponseEntity.status(404).body(PostmarkError.body(PostmarkError.INVALID_REQUEST,
                "Postroom does not offer " + request.getMethod() + " " + request.getRequestURI() + " of Postmark's "
                        + "API: statistics, open and click tracking and inbound messages are not part of it (see "
                        + "docs/postmark.md)."));
    }

    private static Map<String, Object> stream(PostmarkServers.Server server, String id, OffsetDateTime created) {
        boolean broadcast = id.equals(PostmarkSending.BROADCAST);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", id);
        out.put("ServerID", server.id());
        out.put("Name", broadcast ? "Default Broadcast Stream" : "Default Transactional Stream");
        out.put("Description", broadcast ? "Bulk mail, with one-click unsubscribe (RFC 8058)" : "");
        out.put("MessageStreamType", broadcast ? "Broadcasts" : "Transactional");
        out.put("CreatedAt", PostmarkReads.ISO.format(created));
        out.put("UpdatedAt", null);
        out.put("ArchivedAt", null);
        out.put("ExpectedPurgeDate", null);
        out.put("SubscriptionManagementConfiguration", Map.of("UnsubscribeHandlingType",
                broadcast ? "Postmark" : "None"));
        return out;
    }
}
