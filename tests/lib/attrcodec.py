"""attrcodec - hato's attribute codec (libutil/attr.h) for Python test
tools: a message is name\\0value\\0 pairs ended by an empty name."""


def encode(pairs):
    """bytes of one message from (name, value) pairs"""
    out = b""
    for k, v in pairs:
        out += k.encode() + b"\0" + v.encode() + b"\0"
    return out + b"\0"


def read_msg(f):
    """one message from a binary file object as a dict, None at EOF"""
    attrs, name = {}, None
    while True:
        field = b""
        while True:
            c = f.read(1)
            if not c:
                return None
            if c == b"\0":
                break
            field += c
        if name is None:
            if field == b"":
                return attrs
            name = field.decode()
        else:
            attrs[name] = field.decode("utf-8", "replace")
            name = None
