"""rasa-sdk's own plugin hook: `rasa run actions` imports a package named
rasa_sdk_plugins, if there is one, and calls init_hooks with its plugin manager
(rasa_sdk/plugin.py). This project's plugin guards the action server
(actions/action_server_guard.py).

It fails closed. rasa-sdk treats a ModuleNotFoundError raised while importing
this package as "no plugins" and serves anyway, without the guard; so any
failure to load the guard is turned here into SystemExit, which stops the
action server with a message that says why. (If this package is not found at
all, the guard module, imported with the actions, stops the server instead:
action_server_guard.refuse_to_serve_unguarded.)"""

import pluggy

try:
    from actions import action_server_guard
except Exception as error:  # whatever it is, the server must not start unguarded
    raise SystemExit(
        "The action server's guard (actions/action_server_guard.py) could not be loaded "
        f"({type(error).__name__}: {error}): refusing to serve without the token check."
    ) from error


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(action_server_guard)  # an error here is not a ModuleNotFoundError: it stops the server
