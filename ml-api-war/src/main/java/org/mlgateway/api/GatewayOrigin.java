package org.mlgateway.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Whether a request was forwarded by the gateway: Nginx adds {@code X-Gateway-Token} with a secret
 * generated at the stack's start, which only it and the servers know. The headers that steer what a
 * server records (X-Request-ID, the key of the prediction log; X-Shadow, a mirrored copy to compare)
 * count only on such requests: anyone else who reaches a server's port directly gets an answer, but
 * cannot plant request ids or fake comparisons. Without a configured token nothing counts as the
 * gateway's.
 */
@ApplicationScoped
public class GatewayOrigin {

    static final String HEADER = "X-Gateway-Token";

    @Inject
    ApiConfig config;

    private byte[] token;

    @PostConstruct
    void init() {
        token = config.gatewayToken()
                .map(t -> t.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    /** True when the header carries the gateway's token; compared in constant time. */
    public boolean vouchesFor(String header) {
        return token != null && header != null && MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8));
    }
}
