"""smtpsink: a real SMTP server (aiosmtpd) on 127.0.0.1 for the mail
tests, and the configuration that points wijkcal and wijkcald at it."""
from aiosmtpd.controller import Controller

import wkd

FROM = "agenda@wijk.example.nl"


def start(handler, port=None, **kw):
    """Runs aiosmtpd with handler on port (a free one if None); returns
    (controller, port). Stop it with controller.stop()."""
    if port is None:
        port = wkd.free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, **kw)
    ctl.start()
    return ctl, port


def configure(env, port, smtp="", rest="", smtp_from=FROM):
    """Points env (its WIJKCAL_CONFIG) at the server on port, without
    STARTTLS, mail from smtp_from; smtp holds more keys of the smtp group
    ('rate_limit = 0;'), rest the other groups. Returns the file's path."""
    conf = env.write(
        "wijkcal.conf",
        'smtp = { url = "smtp://127.0.0.1:%d"; starttls = "off"; from = "%s"; %s};\n%s'
        % (port, smtp_from, smtp + " " if smtp else "", rest))
    env.env["WIJKCAL_CONFIG"] = conf
    return conf
