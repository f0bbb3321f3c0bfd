package io.fastpool.status.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.fastpool.pool.PoolSnapshot;
import java.io.IOException;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The status JSON's {@code history}: the samples as columns aligned with their times (one array
 * per figure), server-wide and per pool, which the dashboard's charts draw. A pool absent from a
 * sample, and a figure that has no value in it, is {@code null}.
 */
final class HistoryJson {

    private HistoryJson() {
    }

    static void write(JsonGenerator json, History.View view) throws IOException {
        List<History.Sample> samples = view.samples();
        json.writeObjectFieldStart("history");
        json.writeNumberField("intervalSeconds", view.intervalSeconds());
        json.writeArrayFieldStart("time");
        for (History.Sample sample : samples) {
            json.writeNumber(sample.timeMillis());
        }
        json.writeEndArray();
        series(json, "requestsPerSecond", samples, s -> s.requestsPerSecond() < 0 ? Double.NaN : Advisor.round(s.requestsPerSecond()));
        series(json, "serverErrorsPerSecond", samples,
                s -> s.serverErrorsPerSecond() < 0 ? Double.NaN : Advisor.round(s.serverErrorsPerSecond()));
        series(json, "openConnections", samples, s -> s.openConnections() < 0 ? Double.NaN : s.openConnections());
        json.writeObjectFieldStart("pools");
        for (String pool : view.poolNames()) {
            json.writeObjectFieldStart(pool);
            poolSeries(json, "requestsPerSecond", samples, pool, p -> Advisor.round(p.requestsPerSecond()));
            poolSeries(json, "rejectedPerSecond", samples, pool, p -> Advisor.round(p.rejectedPerSecond()));
            poolSeries(json, "serverErrorsPerSecond", samples, pool, p -> Advisor.round(p.serverErrorsPerSecond()));
            poolSeries(json, "cpuMillisPerRequest", samples, pool, p -> Math.round(p.cpuMillisPerRequest() * 1000) / 1000.0);
            poolSeries(json, "busyThreads", samples, pool, History.PoolPoint::busyThreads);
            poolSeries(json, "threads", samples, pool, History.PoolPoint::threads);
            poolSeries(json, "queued", samples, pool, History.PoolPoint::queued);
            poolSeries(json, "latencyP50Micros", samples, pool, History.PoolPoint::latencyP50Micros);
            poolSeries(json, "latencyP99Micros", samples, pool, History.PoolPoint::latencyP99Micros);
            poolSeries(json, "queueWaitP99Micros", samples, pool, History.PoolPoint::queueWaitP99Micros);
            // An interval without requests has no percentile: null, a gap in the chart rather than a fall to 0.
            poolSeries(json, "intervalLatencyP50Micros", samples, pool, p -> measured(p.interval().latency(), PoolSnapshot.Percentiles::p50));
            poolSeries(json, "intervalLatencyP99Micros", samples, pool, p -> measured(p.interval().latency(), PoolSnapshot.Percentiles::p99));
            poolSeries(json, "intervalQueueWaitP99Micros", samples, pool, p -> measured(p.interval().queueWait(), PoolSnapshot.Percentiles::p99));
            poolSeries(json, "intervalRequests", samples, pool, p -> p.interval().latency().count());
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private static double measured(PoolSnapshot.Percentiles percentiles, ToLongFunction<PoolSnapshot.Percentiles> value) {
        return percentiles.count() == 0 ? Double.NaN : value.applyAsLong(percentiles);
    }

    private static void series(JsonGenerator json, String name, List<History.Sample> samples, ToDoubleFunction<History.Sample> value)
            throws IOException {
        json.writeArrayFieldStart(name);
        for (History.Sample sample : samples) {
            JsonFormat.number(json, value.applyAsDouble(sample));
        }
        json.writeEndArray();
    }

    private static void poolSeries(JsonGenerator json, String name, List<History.Sample> samples, String pool,
            ToDoubleFunction<History.PoolPoint> value) throws IOException {
        json.writeArrayFieldStart(name);
        for (History.Sample sample : samples) {
            History.PoolPoint point = sample.pools().get(pool);
            if (point == null) {
                json.writeNull();
            } else {
                JsonFormat.number(json, value.applyAsDouble(point));
            }
        }
        json.writeEndArray();
    }
}
