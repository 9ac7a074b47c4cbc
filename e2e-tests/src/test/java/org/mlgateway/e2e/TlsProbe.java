package org.mlgateway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenSSL's s_client as a TLS probe, with a timeout that holds (a {@link Command}): a probe that does
 * not finish in time is killed and reported. Security level 0 lets the client offer old protocols, so only the
 * server can refuse them.
 */
final class TlsProbe {

    static final long TIMEOUT_SECONDS = 20;

    record Handshake(int exitCode, String output) {
        /** A cipher was agreed: the handshake completed. */
        boolean negotiated() {
            return exitCode == 0 && output.contains("Cipher is ") && !output.contains("Cipher is (NONE)");
        }

        /** The server answered the offered version with TLS's protocol_version alert. */
        boolean protocolAlert() {
            return output.contains("alert protocol version");
        }
    }

    private TlsProbe() {}

    static Handshake handshake(int port, String versionFlag, String caFile) {
        List<String> command = new ArrayList<>(List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost",
                versionFlag,
                "-cipher",
                "DEFAULT@SECLEVEL=0"));
        if (caFile != null) {
            command.addAll(List.of("-CAfile", caFile));
        }
        Command.Result result =
                Command.of(command).timeout(Duration.ofSeconds(TIMEOUT_SECONDS)).run();
        return new Handshake(result.exitCode(), result.output());
    }
}
