package lore.experiment.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Adam and AdamW steps against values computed by hand (in double, from the update formulas). */
class GroupAdamTest {

  private static double twoSteps(GroupAdam opt, Param p) {
    p.grad()[0] = 0.5f;
    opt.step();
    p.grad()[0] = -0.25f;
    opt.step();
    return p.value()[0];
  }

  private static Param one() {
    Param p = new Param("p", 1);
    p.value()[0] = 1f;
    return p;
  }

  @Test
  void adamStepsMatchHandComputedValues() {
    Param p = one();
    GroupAdam opt = GroupAdam.adam(List.of(new GroupAdam.Group(List.of(p), 0.1, 0)));
    p.grad()[0] = 0.5f;
    opt.step();
    assertEquals(0.9, p.value()[0], 1e-7); // the first step moves by lr * sign(g)
    p.grad()[0] = -0.25f;
    opt.step();
    assertEquals(0.8733662987078462, p.value()[0], 1e-6);
  }

  @Test
  void adamCouplesWeightDecayIntoTheGradient() {
    Param p = one();
    GroupAdam opt = GroupAdam.adam(List.of(new GroupAdam.Group(List.of(p), 0.1, 0.1)));
    assertEquals(0.8544413674617625, twoSteps(opt, p), 1e-6);
  }

  @Test
  void adamWDecaysDecoupledBeforeTheUpdate() {
    Param p = one();
    GroupAdam opt = GroupAdam.adamW(List.of(new GroupAdam.Group(List.of(p), 0.1, 0.1)));
    p.grad()[0] = 0.5f;
    opt.step();
    assertEquals(0.89, p.value()[0], 1e-7); // 1 * (1 - 0.1 * 0.1) - 0.1
    p.grad()[0] = -0.25f;
    opt.step();
    assertEquals(0.8544662986878462, p.value()[0], 1e-6);
  }

  @Test
  void groupsKeepTheirOwnRatesAndScaleApplies() {
    Param a = one();
    Param b = one();
    GroupAdam opt =
        GroupAdam.adam(
            List.of(
                new GroupAdam.Group(List.of(a), 0.1, 0), new GroupAdam.Group(List.of(b), 0.01, 0)));
    a.grad()[0] = 3f;
    b.grad()[0] = -3f;
    opt.step(0.5);
    assertEquals(1 - 0.05, a.value()[0], 1e-7);
    assertEquals(1 + 0.005, b.value()[0], 1e-7);
    opt.zeroGrad();
    assertEquals(0f, a.grad()[0]);
    assertEquals(1, opt.steps());
  }
}
