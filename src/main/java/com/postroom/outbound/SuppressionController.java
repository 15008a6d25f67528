package com.postroom.outbound;

import java.util.List;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;
import com.postroom.problem.Problem;

/** The suppression list: who Postroom refuses to send to, and why; an admin can take an address off it. */
@RestController
class SuppressionController {

    private final Suppressions suppressions;

    SuppressionController(Suppressions suppressions) {
        this.suppressions = suppressions;
    }

    @GetMapping("/api/email/suppressions")
    List<Suppressions.Entry> list(@RequestParam(defaultValue = "100") int limit,
                                  @RequestParam(defaultValue = "0") int offset) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        if (limit < 1 || limit > 500 || offset < 0) {
            throw Problem.badInput("limit must be 1 to 500 and offset 0 or more.");
        }
        return suppressions.list(caller.orgId(), limit, offset);
    }

    @DeleteMapping("/api/email/suppressions/{address}")
    ResponseEntity<Map<String, String>> remove(@PathVariable String address) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        if (!suppressions.remove(caller.orgId(), address.strip())) {
            throw Problem.notFound("Address is not on the suppression list");
        }
        return ResponseEntity.ok(Map.of("status", "removed", "address", address.strip().toLowerCase()));
    }
}
