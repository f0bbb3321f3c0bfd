package io.fastpool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyLeaksTest {

    @Test
    void detectorRunsAtParanoidWithTheRecordingFactory() {
        assertTrue(NettyLeaks.installed());
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void anUnreleasedBufferIsReportedAndAReleasedOneIsNot() {
        NettyLeaks.drain();
        UnpooledByteBufAllocator.DEFAULT.directBuffer(16).release();
        assertTrue(NettyLeaks.drain().isEmpty(), "a released buffer must not be reported");

        leakOne();
        List<String> reports = NettyLeaks.drain();
        assertFalse(reports.isEmpty(), "a buffer dropped without release must be reported");
        assertTrue(reports.get(0).startsWith("LEAK of "), reports.get(0));
    }

    private static void leakOne() {
        // Unpooled heap buffers are not tracked by netty (the GC frees them); direct ones are.
        ByteBuf leaked = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeInt(42);
        // dropped without release(): exactly the mistake the check exists for
    }
}
