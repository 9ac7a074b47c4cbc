package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Alive while the heap has room: a server stuck near its heap limit should be restarted. */
@Liveness
@ApplicationScoped
public class MemoryLivenessCheck implements HealthCheck {

    private static final double MAX_HEAP_FRACTION = 0.95;

    @Override
    public HealthCheckResponse call() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        return HealthCheckResponse.named("heap")
                .status(heap.getUsed() < max * MAX_HEAP_FRACTION)
                .withData("usedBytes", heap.getUsed())
                .withData("maxBytes", max)
                .build();
    }
}
