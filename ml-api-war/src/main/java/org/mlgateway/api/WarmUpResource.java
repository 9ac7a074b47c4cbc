package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code POST /warm-up}: {@code /predict}'s code without its metrics, for {@link WarmUp}'s own
 * requests only. Anyone else, or anything after warm-up, gets 404; Nginx does not route it anyway.
 */
@Path("/warm-up")
@ApplicationScoped
public class WarmUpResource {

    @Inject
    WarmUp warmUp;

    @Inject
    PredictResource predict;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Object warmUp(@HeaderParam(WarmUp.HEADER) String token, InputStream body) throws IOException {
        if (!warmUp.isWarmUpRequest(token)) {
            throw new NotFoundException();
        }
        return predict.answer(body, false);
    }
}
