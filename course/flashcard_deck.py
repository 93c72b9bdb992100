"""The flashcards of every lesson: question, answer, and the section of the lesson to reread.

`reread` is the exact text of one of the lesson's headings (without the `##`);
tests/test_flashcards.py fails, naming the card, when a heading it points to is renamed.
Text between backticks is shown as code. Numbers are the lessons' own printed values.
course/flashcards.py shows the cards (`show_cards(lesson)`) and exports them.
"""

from typing import NamedTuple


class Card(NamedTuple):
    question: str
    answer: str
    reread: str


CARDS = {
    1: (
        Card("A neuron has inputs `x = (0.35, 0.7)`, weights `(0.2, 0.2)` and bias 0. What are its weighted "
             "sum `z` and its sigmoid output `a`?",
             "`z = 0.2 * 0.35 + 0.2 * 0.7 + 0 = 0.21`, and `a = sigmoid(0.21) = 0.5523`.",
             "A neuron with real numbers"),
        Card("Why does a neuron squish its weighted sum through an activation at all?",
             "Without it, a weighted sum of weighted sums is still one weighted sum, so stacking layers "
             "would buy nothing. The bend lets a network build curved functions out of simple pieces.",
             "Squishing: three activations"),
        Card("What range of outputs does each activation give: sigmoid, tanh, ReLU?",
             "sigmoid: (0, 1); tanh: (-1, 1); ReLU: [0, ∞), the positive part of `z`.",
             "Squishing: three activations"),
        Card("Why can `e^z / (1 + e^z)` give `nan` at `z = 1000` while `1 / (1 + e^-z)` gives 1?",
             "`np.exp(1000)` overflows to `inf`, and `inf / inf` is `nan`. An overflow-free sigmoid calls "
             "`exp` only on `-|z|`, a number 0 or below, and picks the matching form.",
             "Sigmoid without overflow"),
        Card("Write the slopes of sigmoid and tanh in terms of their outputs `s` and `t`.",
             "sigmoid: `s * (1 - s)`, at most 0.25 (at `z = 0`); tanh: `1 - t ** 2`, at most 1 (at `z = 0`).",
             "How steep is each activation?"),
        Card("What is the sigmoid's slope at `z = 0.21`, by formula?",
             "`s = 0.5523`, so `s * (1 - s) = 0.5523 * 0.4477 = 0.24726`. Nudging `z` by 0.001 gives "
             "0.24725.",
             "How steep is each activation?"),
        Card("What does it mean that a sigmoid neuron saturates, and why does it slow learning?",
             "For large `|z|` the curve is flat (`sigmoid(10) = 0.99995`), so its slope is almost 0. The "
             "backward pass multiplies by that slope, so a saturated neuron learns slowly.",
             "How steep is each activation?"),
        Card("What is ReLU's slope at exactly `z = 0` in this course?",
             "0, by convention (as in most libraries): 1 where `z > 0`, 0 everywhere else. At the corner a "
             "nudge from the right sees 1 and from the left 0.",
             "ReLU's kink: a convention"),
        Card("`X` holds 3 examples with 2 inputs each, `w` has shape `(2,)`. What shape is `X @ w + b`, and "
             "what happens to the single bias `b`?",
             "Shape `(3,)`: one weighted sum per example. numpy broadcasts `b`, adding it to every entry.",
             "A neuron on a batch of inputs"),
    ),
    2: (
        Card("In `Z = X @ W + b`, what are the shapes of `X`, `W`, `b` and `Z`?",
             "`X` is `(n, d_in)`, `W` is `(d_in, d_out)`, `b` is `(d_out,)`, `Z` is `(n, d_out)`: one row "
             "per example, one column per neuron.",
             "A batch is a stack of rows"),
        Card("Where in `W` are the weights of neuron `j`?",
             "In column `j`: `W` has one row per input and one column per neuron.",
             "Three neurons side by side: a layer"),
        Card("An example whose inputs are all zero goes through a layer. What are its pre-activations?",
             "Just the biases (`0, 0, 0.1` in the lesson): a zero input switches its weights off, the bias "
             "never switches off.",
             "A batch is a stack of rows"),
        Card("Does row `i` of `Z = X @ W + b` depend on any other row of `X`?",
             "No. Examples never mix: row `i` of `Z` depends only on row `i` of `X`, so the batch gives the "
             "same rows as one example at a time.",
             "A batch is a stack of rows"),
        Card("The 2-3-1 toy network at `x = (0.35, 0.7)`: what are the hidden activations and the output?",
             "Hidden `A1 = [0.5523, 0.5781, 0.5769]`; the output's weighted sum is 0.3975 and the output "
             "`sigmoid(0.3975) = 0.5981`.",
             "The 2-3-1 network, traced with numbers"),
        Card("What does the two-layer forward pass keep in its cache, and why?",
             "`(Z1, A1, Z2, A2)`: the backward pass needs them (the gradient of `W2` needs `A1`, the "
             "sigmoid's slope is `A1 * (1 - A1)`), and keeping them saves recomputing them.",
             "The cache: what the forward pass keeps"),
        Card("How many knobs does a layer from `d_in` inputs to `d_out` neurons have? Count the 2-3-1 toy "
             "network's.",
             "`d_in * d_out` weights plus `d_out` biases. The toy: `2 * 3 + 3 = 9` plus `3 * 1 + 1 = 4`, "
             "13 in all.",
             "Counting the knobs"),
        Card("How many knobs does a 784-16-16-10 network have, and where are most of them?",
             "13,002; 12,560 of them in the first layer (`784 * 16` weights and 16 biases).",
             "Counting the knobs"),
    ),
    3: (
        Card("The network says 0.5981 and the target is 0.5. What is this course's loss for that one "
             "prediction?",
             "Half the squared error: `0.5 * 0.0981 ** 2 = 0.004812`.",
             "How wrong is one prediction?"),
        Card("Why does this course take half of the squared error?",
             "The half changes no decision and makes the slope clean: the slope of `0.5 * (y_hat - y) ** 2` "
             "with respect to `y_hat` is just `y_hat - y`.",
             "How wrong is one prediction?"),
        Card("Write this course's cost of a batch of `n` examples in numpy.",
             "`0.5 * np.sum((Y_hat - Y) ** 2) / n`: each example's half summed squared error, averaged over "
             "the `n` examples.",
             "Cost: the average over examples"),
        Card("Why is the cost an average over examples and not a sum?",
             "Copy the batch three times: the network is no worse, and the average stays 0.052453 while the "
             "sum triples. A summed cost, and its gradient, grows with the batch size.",
             "Cost: the average over examples"),
        Card("scikit-learn's `mean_squared_error` and PyTorch's `MSELoss` give twice this course's cost "
             "for a one-output network. Which is wrong?",
             "Neither. They take the plain mean of the squared errors, without the half: another "
             "convention, a factor 2 away, with a gradient twice ours. Compare only within one convention.",
             "Cost: the average over examples"),
        Card("What is the gradient of the cost with respect to the network's output `Y_hat`?",
             "`(Y_hat - Y) / n`, the same shape as `Y_hat`. Without the `/ n` you forgot to average.",
             "The slope of the cost"),
        Card("Turn the scores `(2, 1, 0.1)` into probabilities with softmax.",
             "`exp` each score and divide by the total: `(0.659, 0.242, 0.099)`.",
             "Scores to probabilities: softmax"),
        Card("How do you compute softmax and `log p` for scores like `(1000, 999, -5)` without overflow?",
             "Subtract the row's largest score `m` first (it changes no probability). Then "
             "`lse = m + log(sum(exp(z - m)))` and `log p = z - lse`.",
             "Softmax without overflow: log-sum-exp"),
        Card("What does cross-entropy charge an example whose right class gets probability 0.5? And 0.1?",
             "`-log p`: 0.69 and 2.3 (nothing at `p = 1`, without limit as `p` goes to 0).",
             "Cross-entropy: surprise at the right answer"),
        Card("What is the gradient of softmax + cross-entropy's cost with respect to the scores `Z`?",
             "`(P - Y) / n`: negative for the right class, positive for the others, zero for a perfect "
             "prediction.",
             "The (p - y) / n shortcut"),
    ),
    4: (
        Card("Write the forward difference. How does its error shrink with `h`?",
             "`(f(x + h) - f(x)) / h`. Its error is of order `h`: ten times smaller `h`, ten times smaller "
             "error (0.0046, 0.00045, 0.000045 for the sigmoid at 1 with `h` = 0.1, 0.01, 0.001).",
             "Nudging one way: the forward difference"),
        Card("Write the central difference. How does its error shrink with `h`?",
             "`(f(x + h) - f(x - h)) / (2h)`. Its error is of order `h^2`: ten times smaller `h`, a hundred "
             "times smaller error.",
             "Nudging both ways: the central difference"),
        Card("Why is the central difference more accurate than the forward one?",
             "The bend terms `h^2 f''(x) / 2` of `f(x + h)` and `f(x - h)` are equal and cancel, leaving an "
             "error about `h^2 f'''(x) / 6`; in the forward difference the bend survives as `h f''(x) / 2`.",
             "How wrong is each estimate?"),
        Card("Why does `h = 1e-14` give a worse slope estimate than `h = 1e-8`?",
             "Round-off: each value of `f` carries a rounding error of about `1e-16`, and dividing the "
             "difference by `h` magnifies it to about `1e-16 / h`.",
             "Too small an h: round-off"),
        Card("On a log-log plot of error against `h`, which slopes do you read?",
             "About -1 on the round-off side (small `h`); on the truncation side 1 for the forward "
             "difference and 2 for the central one. The bottom of each V is the best `h`.",
             "The error against h on a log-log plot"),
        Card("Which `h` suits each method in float64?",
             "Forward difference: `1e-8` to `1e-7`. Central difference: `1e-6` to `1e-4`; this course "
             "uses `1e-5` (`H` in `course.gradcheck`).",
             "Choosing h"),
        Card("Write the course's relative error. What is the tiny for?",
             "`|a - b| / max(|a|, |b|, tiny)` with tiny `1e-12` (`TINY` in `course.gradcheck`); it stops "
             "`0 / 0` when both slopes are zero.",
             "Relative error: one number to judge a check"),
        Card("How do you read the largest relative error of a gradient check?",
             "Below the pass line, `1e-6`: PASS. Above the wrong line, `1e-2`: the formula is wrong. In "
             "between: look closer. Both lines live in `course.gradcheck`.",
             "Relative error: one number to judge a check"),
        Card("Checking ReLU's slope on points that include 0 gives relative error 1.0. Is the formula wrong?",
             "No. At the kink the central difference sees slope 0.5, while the convention says "
             "`ReLU'(0) = 0`. Skip the kink and the check passes.",
             "Checking the activations' slopes"),
    ),
    5: (
        Card("How many knobs does lesson 5's 2-3-1 toy network have, and what is its loss on its four "
             "examples?",
             "13 knobs (6 + 3 + 3 + 1); loss 0.073183, lesson 3's cost (half the squared error, averaged "
             "over the examples).",
             "The toy network and its loss"),
        Card("On the toy network, how does the plain mean of the squared errors compare with this course's "
             "cost?",
             "Exactly twice: 0.146366 against 0.073183, and every slope is twice ours. Mixing the two makes "
             "a gradient check fail with relative error 0.5.",
             "The toy network and its loss"),
        Card("After nudging a knob in place, why write back the saved value instead of undoing the "
             "arithmetic (`+h`, `-2h`, `+h`)?",
             "Floating point rounds: `1.3 + h - 2 * h + h` gives `1.2999999999999998`. Writing the saved "
             "value back is exact, so the parameters end bit for bit as they started.",
             "Nudging one knob, and putting it back"),
        Card("What is the numerical gradient of a parameter dictionary shaped like?",
             "Like the parameters: a dictionary with one array per name, each of its parameter's shape, "
             "holding one central-difference slope per knob.",
             "Every knob, one at a time"),
        Card("A gradient with every slope doubled (dividing by `h` instead of `2h`) is checked. What "
             "relative error comes out, and why?",
             "0.5 on every knob: `|2a - a| / |2a|` is one half, far above the wrong line.",
             "How close is close? The relative error"),
        Card("A forward-difference gradient at `h = 1e-5` is checked against central differences. What is "
             "the verdict?",
             "FAIL: its error shrinks only like `h`, and its worst relative error, 1.3e-5, lies between the "
             "pass line and the wrong line, where a subtle bug would also land.",
             "How close is close? The relative error"),
        Card("When does a relative error on one knob mean nothing?",
             "When the knob's true slope is essentially zero: both estimates are rounding noise. Look at "
             "the absolute values first.",
             "How close is close? The relative error"),
        Card("What does one numerical gradient cost, in forward passes?",
             "Two per knob: 26 for the 13-knob toy network, 26,004 for a 784-16-16-10 network (13,002 "
             "knobs).",
             "What it costs: two forward passes per knob"),
    ),
    6: (
        Card("`L(w) = (w - 3)^2`, starting at `w = 0` with learning rate 0.1: what are the slope, the move "
             "and the new `w`?",
             "Slope -6; move `-0.1 * (-6) = +0.6`; new `w = 0.6`.",
             "One knob: walking downhill"),
        Card("Why do the steps get smaller near the bottom, although nobody tells the walk where the bottom "
             "is?",
             "Each move is the learning rate times the slope, and the slope flattens as the walk approaches "
             "the bottom.",
             "One knob: walking downhill"),
        Card("Write the update rule. Why the minus sign?",
             "`new = old - learning_rate * slope`, for every knob with its own slope. The slope points "
             "uphill, so the step goes the other way.",
             "The update rule"),
        Card("A run of 5 steps records its history. How many rows does it have?",
             "6: row 0 is the start, row `t` the point after `t` steps.",
             "The update rule"),
        Card("On a bowl that is steep one way and gentle the other, why does gradient descent not head "
             "straight for the bottom?",
             "It walks straight downhill from where it stands, across the contour lines: first down the "
             "steep direction, then creeping along the gentle valley.",
             "Two knobs: a bowl"),
        Card("On the lesson's bowl, what do learning rates 0.02, 0.2 and 0.27 do in 30 steps?",
             "0.02 is too slow (loss still 2.4); 0.2 converges, zigzagging less each step; 0.27 diverges "
             "(loss about 66,000).",
             "Too small, about right, too large"),
        Card("Along a direction of steepness `a`, what does one step do to the distance `d` to the bottom?",
             "It multiplies it by `1 - 2 a lr`: between 0 and 1 it shrinks, between -1 and 0 it zigzags "
             "closer, below -1 it grows (divergence).",
             "Why a step can overshoot"),
        Card("Which learning rate makes the bowl's steep direction (`a = 4`) diverge?",
             "Anything above `1 / a = 0.25`. The steepest direction caps the learning rate; the gentlest "
             "one sets the pace.",
             "Why a step can overshoot"),
    ),
    7: (
        Card("Why is a loss of 0.125 the mark of knowing nothing on the toy data, with targets 0 and 1?",
             "Answering 0.5 for everything misses every target by 0.5, and half of `0.5 ** 2` is 0.125. The "
             "untrained network's 0.1248 is barely better.",
             "The toy network and the data"),
        Card("What are the three lines of one training step?",
             "The loss as a function of the parameters, its numerical gradient, and "
             "`params - learning_rate * grads` for every array (loss 0.124761 to 0.122092 at learning "
             "rate 4).",
             "One training step, by hand"),
        Card("How is the gradient of the mean loss related to the examples' own gradients?",
             "It is their average: the slope of a sum is the sum of the slopes, and dividing by 40 divides "
             "every slope by 40.",
             "Averaging over examples"),
        Card("Why average the examples' gradients rather than add them up?",
             "A summed gradient grows with the number of examples: a learning rate that works for 8 "
             "examples would be 5 times too large for 40. With the mean it means the same for any batch "
             "size.",
             "Averaging over examples"),
        Card("40 examples, batch size 12: how many mini-batches make one epoch?",
             "`ceil(40 / 12) = 4`: three of 12 and a partial last batch of 4, which still counts.",
             "Mini-batches"),
        Card("Why shuffle the examples at the start of every epoch?",
             "In a fixed order (all blue points, then all red) every batch pulls the knobs the same wrong "
             "way at the same point of every epoch; a fresh seeded order makes each batch a fair sample.",
             "Mini-batches"),
        Card("For the same number of epochs, what does batch size 1 do compared with the full batch?",
             "More steps per epoch, so more progress per epoch, but a bumpier loss curve: each step follows "
             "one example's opinion.",
             "Training the toy network"),
        Card("What does one numerical-gradient step cost for a 784-16-16-10 network?",
             "26,004 forward passes, about 3.2 seconds on a batch of 32: 1.7 hours for one epoch of 60,000 "
             "images, about 2 days for 30 epochs.",
             "What it costs as the network grows"),
    ),
    8: (
        Card("What is an output neuron's wish?",
             "Target minus output: its sign says which way, its size how much. Output 0.10 with target 1 "
             "wishes +0.90.",
             "What each output neuron wishes"),
        Card("How is a wish related to the gradient?",
             "A wish is minus the gradient: for an output neuron the gradient is `output - target` and the "
             "wish `target - output`. A step moves a knob by `step size * wish`.",
             "Wishes and gradients: the sign convention"),
        Card("How does a wish on a neuron's activation become a wish on its weighted sum `z`?",
             "Multiply it by the sigmoid's slope there, `s * (1 - s)`.",
             "Three ways to grant a wish"),
        Card("Name the three ways to grant a neuron's wish on `z`, and each one's wish.",
             "Raise the bias (the wish itself); change each weight (input activation times the wish: "
             "bright inputs most); change the previous layer's activations (weight times the wish).",
             "Three ways to grant a wish"),
        Card("Why can the third way, changing the previous layer's activations, only be a wish?",
             "Activations are not knobs: they are computed from their own weights, biases and inputs, so the "
             "wish is handed back to the layer before.",
             "Why the third way is only a wish"),
        Card("A hidden neuron feeds several output neurons. What does it do with their wishes?",
             "It adds them up, each weighted by the connection it travels on: `wish_z @ W2.T` for the whole "
             "layer.",
             "Why the third way is only a wish"),
        Card("What happens to the wishes that reach the pixels?",
             "They are dropped: pixels are data, not knobs.",
             "Wishes roll backward, layer by layer"),
        Card("Why does one forward plus one backward sweep cost between 2 and 3 forward passes?",
             "Per layer the backward sweep does at most two weight products (pass the wishes back, the "
             "weights' wishes) to the forward's one, and skips one at the first layer: 2.03 for "
             "784-16-16-10, against 26,004 by nudging.",
             "One forward sweep, one backward sweep"),
        Card("Examples disagree about a weight. Which wish does a training step follow?",
             "The average wish over the examples, because the cost is an average: patterns many examples "
             "share survive, one example's quirks cancel.",
             "Averaging wishes over examples"),
    ),
    9: (
        Card("For `E = 0.5 * (y_hat - y)^2`, what is `dE/dy_hat`, and how is it related to lesson 8's wish?",
             "`y_hat - y`; the wish `y - y_hat` is its negative. At `y_hat = 0.6651`, `y = 0.5`: slope "
             "+0.1651, wish -0.1651.",
             "Wishes are derivatives"),
        Card("An exam lost you points. Each step back has a rate: 10 pages per hour on the chapter, 0.03 "
             "grasp per page, 8 calculations per unit of grasp, 0.5 answers per calculation, -5 points lost "
             "per answer. What does one more hour change, and why?",
             "About 6 points fewer lost: `10 * 0.03 * 8 * 0.5 * (-5) = -6`. A small change passes through "
             "every step and is multiplied by each step's rate: the chain rule.",
             "An exam, traced backward"),
        Card("What is a delta? Give `delta2` and `delta1` for the chain of three links.",
             "The slope of the loss with respect to a neuron's weighted sum `z`: "
             "`delta2 = (y_hat - y) * y_hat * (1 - y_hat)`, `delta1 = delta2 * w2 * a1 * (1 - a1)`.",
             "Deltas: the shared part of the chain"),
        Card("With deltas, what is a weight's gradient, and a bias's?",
             "A weight's: its neuron's delta times the input the weight multiplies. A bias's: the delta "
             "itself.",
             "Deltas: the shared part of the chain"),
        Card("What does each gate send back to its inputs: add, multiply, max?",
             "Its local derivative times the upstream gradient. Add passes the upstream gradient to both "
             "inputs unchanged; multiply swaps (each input gets the other's value times it); max routes it "
             "all to the larger input and 0 to the other.",
             "Graphs: where values branch and merge"),
        Card("`b` feeds two gates in `f = (a * b + c) * max(b, d)`. How do you get `df/db`?",
             "Add what comes back along each edge: -3 through the multiply gate plus 1 through the max gate, "
             "`df/db = -2` at `a = -2, b = 1.5, c = 4, d = 0.5`. Keeping one path fails the check.",
             "Graphs: where values branch and merge"),
        Card("Write `sigmoid_backward(dA, Z)` and `relu_backward(dA, Z)`.",
             "`dA * s * (1 - s)` with `s = sigmoid(Z)`; `dA * (Z > 0)` (this course's ReLU'(0) = 0).",
             "The sigmoid's slope in the backward pass"),
        Card("A dense layer computes `Z = X @ W + b`. Given `dZ`, write `dX`, `dW` and `db` with their "
             "shapes.",
             "`dX = dZ @ W.T`, `(n, d_in)`; `dW = X.T @ dZ`, `(d_in, d_out)`; `db = dZ.sum(axis=0)`, "
             "`(d_out,)`. Each gradient has the shape of what it is the gradient of.",
             "A dense layer's backward pass"),
        Card("Where does the batch average's `1/n` enter the backward pass?",
             "Once, at the top: `dA = (A - Y) / n`. Everything below receives it through `dZ`; dividing "
             "again counts the average twice, forgetting it makes every gradient `n` times too large.",
             "Averaging over the batch"),
        Card("In the published worked example, does one gradient step of size 1 raise or lower `w11`?",
             "It lowers it, from 0.2 to 0.199045 (`dE/dw11 = +0.000955`). The article's 0.200945 is most "
             "likely a wish, `(t - y) * y * (1 - y)`, subtracted as if it were a gradient (that gives "
             "0.200955).",
             "The published worked example, recomputed"),
    ),
    10: (
        Card("Why keep all of a network's knobs in one flat vector `theta`?",
             "One numerical gradient then checks them all, and a training step is one line: "
             "`theta = theta - learning_rate * gradient`.",
             "The whole network in one vector"),
        Card("In the lesson's networks, what does each hidden layer compute, and what is the last layer's "
             "`Z` called?",
             "Each hidden layer: `Z = A @ W + b`, then ReLU. The last layer's `Z` are the logits, one score "
             "per class, with no ReLU: softmax comes in the loss.",
             "The forward pass of a whole network"),
        Card("What is the softmax's Jacobian, `dp_j / dz_i`?",
             "`p_i * (1 - p_i)` on the diagonal (`j = i`), `-p_j * p_i` off it: `diag(p) - outer(p, p)`. "
             "Each column sums to 0, because the probabilities always add up to 1.",
             "Softmax and cross-entropy, backward"),
        Card("Chain the softmax's Jacobian with the loss's slope `dL/dp_j = -y_j / p_j`. Why does `p - y` "
             "come out?",
             "Only the right class `c` has `y_c = 1`, so `dL/dz_i = (-1 / p_c) * p_c * (delta_ci - p_i) = "
             "p_i - y_i`: the log's `1 / p_c` and the softmax's `p_c` cancel. A batch's average divides "
             "each row by `n`.",
             "Softmax and cross-entropy, backward"),
        Card("Logits `[2, 1, 0.1]`, right class 0, one example alone: what is the gradient with respect to "
             "the logits?",
             "`p - y = [0.659 - 1, 0.2424, 0.0986] = [-0.341, 0.2424, 0.0986]`: the right logit is pushed "
             "up, the others down, each by how wrong it is.",
             "Softmax and cross-entropy, backward"),
        Card("What does each layer of a multi-layer backward pass compute, from the `dZ` it receives?",
             "`A_prev.T @ dZ` and `dZ.sum(axis=0)` for its weights and bias, then `dZ @ W.T` times ReLU's "
             "slope `(Z > 0)` of the layer below, which becomes that layer's `dZ`.",
             "The backward pass of a whole network"),
        Card("Why gradient-check a network on random architectures rather than one?",
             "One architecture can pass by luck: a bug may only show with a second hidden layer, or when "
             "`d_in` differs from `d_out`.",
             "Gradient check on a random architecture"),
        Card("What does the digit network look like, how is it trained, and how well does it read the test "
             "digits?",
             "64-128-10 (9,610 knobs), 50 epochs of mini-batches of 16 at learning rate 0.1: 96.67% of the "
             "450 test digits.",
             "Training on handwritten digits"),
        Card("What does a confusion matrix show?",
             "For each true digit (row), how often the network said each digit (column): the diagonal is "
             "right, everything else shows which digits get confused.",
             "What the network learned"),
        Card("What does an autograd engine such as micrograd or PyTorch do that you did by hand?",
             "It records the operations as the program runs and applies the chain rule backward for you: "
             "each operation's local slope times the gradient arriving from above.",
             "Where to go next"),
    ),
}
