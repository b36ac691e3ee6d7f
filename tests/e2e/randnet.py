"""Random small networks with exact weights, for the e2e tests (fixed seeds)."""

from fractions import Fraction

from oracle import Layer, Net, fmt


def random_weight(rng):
    """A small random rational: an integer over a denominator in {1,2,3,4,5,10}."""
    return Fraction(rng.randint(-12, 12), rng.choice([1, 2, 3, 4, 5, 10]))


def random_net(rng, m, widths, linear_out=False, linear_hidden=None):
    """A random net with ReLU layers of the given widths.

    linear_out adds a final linear layer of width 1..2; linear_hidden=k
    inserts a linear layer of width k after the first ReLU layer.
    """
    shape = [('relu', w) for w in widths]
    if linear_hidden:
        shape.insert(1, ('linear', linear_hidden))
    if linear_out:
        shape.append(('linear', rng.randint(1, 2)))
    layers, win = [], m
    for act, w in shape:
        W = [[random_weight(rng) for _ in range(win)] for _ in range(w)]
        b = [random_weight(rng) for _ in range(w)]
        layers.append(Layer(act, W, b))
        win = w
    return Net(m, layers)


def random_point(rng, m):
    """A random rational point with coordinates in [-4, 4]."""
    return [Fraction(rng.randint(-400, 400), rng.choice([7, 10, 13, 100])) for _ in range(m)]


def number_text(q, rng):
    """Write q exactly in one of the .pvnet number styles (fraction, decimal, exponent)."""
    den = q.denominator
    if den in (1, 2, 4, 5, 10) and rng.random() < 0.6:
        scaled = q * 100
        assert scaled.denominator == 1
        digits = str(abs(scaled.numerator)).rjust(3, '0')
        text = ('-' if q < 0 else '') + digits[:-2] + '.' + digits[-2:]
        if rng.random() < 0.3:
            text = ('-' if q < 0 else '') + str(abs(scaled.numerator)) + 'e-2'
        return text
    return fmt(q)


def net_text(net, rng, comment):
    """Serialise net as .pvnet text using mixed number styles."""
    out = ['# ' + line for line in comment.splitlines()]
    out += ['pvnet 1', 'input %d' % net.input_dim]
    for layer in net.layers:
        out.append('layer %s %d' % (layer.activation, len(layer.W)))
        out += [' '.join(number_text(w, rng) for w in row) for row in layer.W]
        out.append('bias ' + ' '.join(number_text(b, rng) for b in layer.bias))
    return '\n'.join(out) + '\n'
