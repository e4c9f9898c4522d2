"""Prints the flowers codelab's learning-rate function (`lrfn`, Xception / pod notebooks), as the
notebook writes it, at every epoch 0..39 for two settings, as the Swift arrays that
Tests/ConvnetTrainingTests/RampScheduleTests.swift holds (Python floats are IEEE doubles, printed
in their shortest round-tripping form, so Swift reads back the same bits).

Run: python3 scripts/make_ramp_fixture.py
"""

SETTINGS = {
    "defaults": dict(LR_START=0.00001, LR_MAX=0.00005 * 8, LR_MIN=0.00001, LR_RAMPUP_EPOCHS=5,
                     LR_SUSTAIN_EPOCHS=0, LR_EXP_DECAY=.8),
    "sustained": dict(LR_START=0.0001, LR_MAX=0.002, LR_MIN=0.00005, LR_RAMPUP_EPOCHS=3,
                      LR_SUSTAIN_EPOCHS=4, LR_EXP_DECAY=.7),
}


def make_lrfn(LR_START, LR_MAX, LR_MIN, LR_RAMPUP_EPOCHS, LR_SUSTAIN_EPOCHS, LR_EXP_DECAY):
    # The notebook's function, word for word.
    def lrfn(epoch):
        if epoch < LR_RAMPUP_EPOCHS:
            lr = (LR_MAX - LR_START) / LR_RAMPUP_EPOCHS * epoch + LR_START
        elif epoch < LR_RAMPUP_EPOCHS + LR_SUSTAIN_EPOCHS:
            lr = LR_MAX
        else:
            lr = (LR_MAX - LR_MIN) * LR_EXP_DECAY**(epoch - LR_RAMPUP_EPOCHS - LR_SUSTAIN_EPOCHS) + LR_MIN
        return lr
    return lrfn


for name, setting in SETTINGS.items():
    lrfn = make_lrfn(**setting)
    print(f"    static let {name}: [Double] = [")
    values = [repr(lrfn(e)) for e in range(40)]
    for i in range(0, 40, 5):
        print("        " + ", ".join(values[i:i + 5]) + ",")
    print("    ]")
