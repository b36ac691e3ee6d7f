"""Network.from_torch: a torch module as an exact polyverify network.

nn.Sequential of Linear, ReLU, Flatten, Identity and Dropout is read layer
by layer: each float32/float64 parameter becomes the exact dyadic rational
its bits encode (the C library reads the array's bits; nothing rounds).
Any other module (Conv2d, BatchNorm2d, pooling, residual blocks) is
exported to ONNX in memory and read by the library's ONNX lowering; the
export is checked to hold every parameter and buffer of the module bit for
bit, so that an exporter that folded or fused weights (rounding them) is
refused rather than silently read.
"""
import io


def _sequential_layers(module, input_shape):
    """[(W, b, act)] for a plain MLP Sequential, or None if it is not one."""
    import torch.nn as nn
    if not isinstance(module, nn.Sequential):
        return None
    passive = (nn.Flatten, nn.Identity, nn.Dropout)
    layers = []
    for child in module:
        if isinstance(child, nn.Linear):
            W = child.weight.detach().cpu().numpy()
            b = (child.bias.detach().cpu().numpy() if child.bias is not None
                 else [0] * child.out_features)
            layers.append([W, b, "linear"])
        elif isinstance(child, nn.ReLU):
            if not layers or layers[-1][2] != "linear":
                return None                        # ReLU of ReLU, or of the input
            layers[-1][2] = "relu"
        elif isinstance(child, passive):
            if isinstance(child, nn.Flatten) and layers:
                return None                        # flatten after a layer: 1-D already
        else:
            return None
    if not layers:
        return None
    m = 1
    for s in input_shape:
        m *= int(s)
    if layers[0][0].shape[1] != m:
        from . import BadInput
        raise BadInput(f"from_torch: the first Linear takes {layers[0][0].shape[1]} "
                       f"inputs; input_shape {tuple(input_shape)} has {m}")
    return [tuple(l) for l in layers]


def _check_export(module, model_bytes):
    """Every floating parameter and buffer of module is an initializer of
    the exported model, bit for bit."""
    from . import BadInput
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise BadInput("from_torch: this module goes through an ONNX export, whose "
                       "exactness check needs the onnx package (python3-onnx)") from None
    graph = onnx.load_from_string(model_bytes).graph
    have = {numpy_helper.to_array(t).tobytes() for t in graph.initializer}
    for node in graph.node:                       # Constant nodes hold values too
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                have.add(numpy_helper.to_array(a.t).tobytes())
    for name, t in list(module.named_parameters()) + list(module.named_buffers()):
        if not t.is_floating_point() or t.numel() == 0:
            continue
        if t.detach().cpu().contiguous().numpy().tobytes() not in have:
            raise BadInput(f"from_torch: the ONNX export does not hold '{name}' bit for "
                           f"bit (an exporter pass folded or fused it); refusing a "
                           f"rounded network")


def from_torch(cls, module, input_shape):
    from . import BadInput
    import torch
    input_shape = tuple(int(s) for s in input_shape)
    layers = _sequential_layers(module, input_shape)
    if layers is not None:
        return cls.from_layers(layers)
    was_training = module.training
    module.eval()
    try:
        params = list(module.parameters())
        dtype = params[0].dtype if params else torch.float32
        x = torch.zeros((1,) + input_shape, dtype=dtype)
        buf = io.BytesIO()
        try:
            torch.onnx.export(module, x, buf, do_constant_folding=False,
                              training=torch.onnx.TrainingMode.PRESERVE,
                              opset_version=13)
        except Exception as e:
            raise BadInput(f"from_torch: {type(module).__name__} could not be exported "
                           f"to ONNX: {e}") from None
    finally:
        module.train(was_training)
    data = buf.getvalue()
    _check_export(module, data)
    return cls.from_onnx_bytes(data, f"<torch {type(module).__name__}>")
