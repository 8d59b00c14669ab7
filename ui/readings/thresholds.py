"""Every threshold a reading's words depend on, named once for the whole app.

A reading says "keeps", "vanishes", "near 1" only by comparing its own number with one of these, so
"near 1" means the same on every page. Shares are of the gradient's size at the last step.
"""
KEEPS = 1e-2            # a gradient that keeps at least this share at t = 0 reaches back
VANISHES = 1e-6         # below this share it has vanished (between the two: it fades)
GROWS = 1e2             # above this share it grows going back
EXPLODES = 1e6          # above this share it explodes
NEAR_ONE = 0.9          # a mean forget gate at least this is open, "near 1"
FAR_APART = 1e3         # two reaches this many times apart differ; closer, they are alike
CELL_SATURATES = 3.0    # |c| beyond which tanh(c) is flat: tanh'(3) = 0.0099
MOSTLY = 0.5            # "most": more than this share
MEAN_MISLEADS = 1e1     # the measured cell gradient this many times below (or above) the mean
                        # forget-gate product: the product is not what happens, say what is
SLIVER = 0.2            # a view whose values fill less than this share of a shared colour range
                        # shows as a sliver of it: its own range would show it
FLAT_BARS = 1e-2        # state bars smaller than this share of the axis would look blank
