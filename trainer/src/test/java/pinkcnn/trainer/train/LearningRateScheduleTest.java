package pinkcnn.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pinkcnn.trainer.UserError;

class LearningRateScheduleTest {

    @Test
    void cosineStartsAtTheBaseRateHalvesMidwayAndDecaysTowardsZero() {
        LearningRateSchedule cos = LearningRateSchedule.COSINE;
        assertEquals(1e-3f, cos.rate(1e-3f, 1, 30), 1e-9f);
        assertEquals(0.5e-3f, cos.rate(1e-3f, 16, 30), 1e-9f);
        float last = cos.rate(1e-3f, 30, 30);
        assertTrue(last > 0 && last < 0.01e-3f, "last epoch: " + last);
        for (int e = 2; e <= 30; e++) assertTrue(cos.rate(1e-3f, e, 30) < cos.rate(1e-3f, e - 1, 30), "epoch " + e);
        assertEquals(1e-3f, LearningRateSchedule.CONSTANT.rate(1e-3f, 30, 30));
    }

    @Test
    void names() {
        assertEquals(LearningRateSchedule.COSINE, LearningRateSchedule.parse("cosine"));
        assertEquals("unknown learning-rate schedule 'step': use constant or cosine",
                assertThrows(UserError.class, () -> LearningRateSchedule.parse("step")).getMessage());
    }
}
