package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotation the log-rotator program runs (scripts/lib/logs.sh), on a state folder of its own with
 * LOG_FILE_MAX_MB=1 and LOG_FILES_KEPT=2: a log past the size is renamed and made anew with the old
 * one's mode, Nginx's master (here a stand-in named by nginx.pid) gets USR1 to reopen its files, at
 * most two rotated files are kept, and a log under the size is left alone.
 */
class LogRotationTest {

    @TempDir
    Path temp;

    private String bash(String script) {
        // Nginx's logs in the test's own state folder (as root, nginx.sh would choose /var/log for a folder its workers
        // cannot reach).
        return Command.of(
                        "bash",
                        "-c",
                        "source scripts/lib/settings.sh && source scripts/lib/progress.sh"
                                + " && source scripts/lib/nginx.sh && NGINX_LOG_DIR=\"$LOG_DIR/nginx\" && source scripts/lib/logs.sh && "
                                + script)
                .stackSettingsFromFile()
                .env("STATE_DIR", temp.resolve("state").toString())
                .env("LOG_FILE_MAX_MB", "1")
                .env("LOG_FILES_KEPT", "2")
                .succeeds();
    }

    @Test
    void logsRotateBySizeKeepTwoFilesAndNginxReopensItsOwn() throws Exception {
        Path logs = temp.resolve("state/logs/nginx");
        Path marker = temp.resolve("usr1");
        bash("logs_make_dir && mkdir -p \"$NGINX_LOG_DIR\" \"$NGINX_STATE_DIR\" && logs_render");
        // A stand-in for Nginx's master: it notes every USR1 it gets.
        Process master = new ProcessBuilder(
                        "bash", "-c", "trap 'echo usr1 >> \"" + marker + "\"' USR1; while :; do sleep 0.1; done")
                .start();
        try {
            Files.writeString(temp.resolve("state/nginx/nginx.pid"), master.pid() + "\n");
            Path access = logs.resolve("access.log");
            Files.write(access, new byte[1_500_000]);
            Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-r-----"));
            String rotate = "logrotate --state \"$LOGROTATE_DIR/status\" \"$LOGROTATE_CONF\"";

            bash(rotate);
            assertEquals(1_500_000, Files.size(logs.resolve("access.log.1")), "the full log was renamed");
            assertEquals(0, Files.size(access), "and made anew");
            assertEquals(
                    "rw-r-----",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(access)),
                    "with the old one's mode");
            awaitUsr1(marker, 1);

            Files.write(access, new byte[500_000]);
            bash(rotate);
            assertFalse(Files.exists(logs.resolve("access.log.2")), "a log under 1 MiB stays as it is");
            assertEquals(500_000, Files.size(access));

            for (int round = 0; round < 3; round++) {
                Files.write(access, new byte[1_100_000 + round]);
                bash(rotate);
                // Each signal noted before the next is sent: two USR1 that reach a busy process
                // before it handles the first are one (standard signals do not queue).
                awaitUsr1(marker, 2 + round);
            }
            assertEquals(4, Files.readAllLines(marker).size(), "one USR1 a rotation, none for the log under the size");
            assertEquals(
                    List.of("access.log", "access.log.1", "access.log.2"),
                    Files.list(logs)
                            .map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("access"))
                            .sorted()
                            .toList(),
                    "two rotated files kept, the oldest gone");
            assertEquals(
                    1_100_002,
                    Files.size(logs.resolve("access.log.1")),
                    "the newest rotated file is the last full log");
        } finally {
            master.destroy();
        }
    }

    private static void awaitUsr1(Path marker, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.exists(marker) || Files.readAllLines(marker).size() < count) {
            assertTrue(System.nanoTime() < deadline, "Nginx's master got USR1 " + count + " time(s)");
            Thread.sleep(50);
        }
    }

    /** supervisord and Liberty are given the same limits, from the same settings. */
    @Test
    void everyWriterGetsTheSameLimits() throws IOException {
        String supervisor = Files.readString(StackEnv.projectRoot().resolve("supervisor/supervisord.conf.template"));
        String apiServer = Files.readString(StackEnv.projectRoot().resolve("supervisor/api-server.conf.template"));
        String programLimits =
                "\nstdout_logfile_maxbytes=${LOG_FILE_MAX_MB}MB\nstdout_logfile_backups=${LOG_FILES_KEPT}\n";
        assertEquals(
                supervisor.split("\n\\[program:", -1).length - 1,
                supervisor.split(java.util.regex.Pattern.quote(programLimits), -1).length - 1,
                "every program's output");
        assertTrue(apiServer.endsWith(programLimits), "every API server's output");
        assertTrue(
                supervisor.contains("\nlogfile_maxbytes=${LOG_FILE_MAX_MB}MB\nlogfile_backups=${LOG_FILES_KEPT}\n"),
                "supervisord's own log");
        assertTrue(
                supervisor.contains("\numask=027\n"), "files its programs create are their owner's and group's only");
        String logging = Files.readString(StackEnv.projectRoot().resolve("liberty/configDropins/deployed/logging.xml"));
        assertTrue(
                logging.contains(
                        "<logging maxFileSize=\"${env.LOG_FILE_MAX_MB}\" maxFiles=\"${env.LOG_FILES_KEPT}\"/>"),
                logging);
        String serverEnv = Files.readString(StackEnv.projectRoot().resolve("liberty/server.env.template"));
        assertTrue(
                serverEnv.contains("LOG_FILE_MAX_MB=${LOG_FILE_MAX_MB}\nLOG_FILES_KEPT=${LOG_FILES_KEPT}\n"),
                serverEnv);
    }
}
