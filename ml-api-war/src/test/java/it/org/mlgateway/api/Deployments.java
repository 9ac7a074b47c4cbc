package it.org.mlgateway.api;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR that Maven built, deployed as-is for v1; for v2 the same archive with only its
 * variant property changed, exactly as the v2 profile builds it. Each is served under its own
 * context root (its archive name) rather than "/", so that the tests can also deploy into the
 * server of `mvn liberty:dev`, where the app under development holds "/".
 */
final class Deployments {

    private static final String CONFIG = "/WEB-INF/classes/META-INF/microprofile-config.properties";

    private Deployments() {}

    static WebArchive variant(String variant) {
        return variant(variant, "");
    }

    /** The same, with {@code extraConfig} (properties lines) appended: later lines win in MicroProfile Config's file. */
    static WebArchive variant(String variant, String extraConfig) {
        return variant(variant, "ml-api-" + variant + "-it", extraConfig);
    }

    /** The same under another name (its context root), for a test class that deploys two of them. */
    static WebArchive variant(String variant, String name, String extraConfig) {
        File built = new File(System.getProperty("app.war", "target/ml-api-v1.war"));
        WebArchive war = ShrinkWrap.create(ZipImporter.class, name + ".war")
                .importFrom(built)
                .as(WebArchive.class);
        war.delete("/WEB-INF/ibm-web-ext.xml");
        String config = read(war, CONFIG)
                        .replaceAll("(?m)^api\\.variant=.*$", "api.variant=" + variant)
                        .replaceAll("(?m)^api\\.instance\\.name=.*$", "api.instance.name=api-" + variant + "-it")
                + "\n" + extraConfig;
        war.delete(CONFIG);
        war.add(new StringAsset(config), CONFIG);
        return war;
    }

    private static String read(WebArchive war, String path) {
        Node node = war.get(path);
        if (node == null || node.getAsset() == null) {
            throw new IllegalStateException("The built WAR has no " + path);
        }
        try (InputStream in = node.getAsset().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + path + " from the built WAR", e);
        }
    }
}
