"""What a gradient costs, in forward passes: by nudging every knob, and by backpropagation.

Lessons 5, 7, 8, 9 and 10 quote these figures; tests/test_prose_numbers.py checks that every
figure they state is one computed here.
"""

PASSES_PER_KNOB = 2  # central differences run the network at x + h and at x - h for every knob
BACKPROP_PASSES_AT_MOST = 3  # one forward sweep + one backward sweep of at most twice its arithmetic


def knob_count(sizes):
    """Weights and biases of a dense network with layer sizes like (784, 16, 16, 10)."""
    return sum(d_in * d_out + d_out for d_in, d_out in zip(sizes[:-1], sizes[1:]))


def nudging_passes(sizes):
    """Forward passes for one gradient by central differences: two per knob."""
    return PASSES_PER_KNOB * knob_count(sizes)


def backprop_passes(sizes):
    """One forward + one backward sweep, in forward passes, counted in multiply-adds per example.

    The forward sweep does one product X @ W per layer. The backward sweep does two per layer,
    A.T @ dZ for dW and dZ @ W.T for the layer below, except at the first layer, where
    nobody needs the slope of the inputs. So the figure lies between 2 and BACKPROP_PASSES_AT_MOST.
    """
    products = [d_in * d_out for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    forward = sum(products)
    backward = 2 * forward - products[0]
    return (forward + backward) / forward
