"""rasa-sdk's own plugin hook: `rasa run actions` imports a package named
rasa_sdk_plugins, if there is one, and calls init_hooks with its plugin manager
(rasa_sdk/plugin.py). This project's plugin guards the action server
(actions/action_server_guard.py)."""

import pluggy

from actions import action_server_guard


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(action_server_guard)
