"""Custom actions of the policy assistant. They stay thin: each reads the
conversation, calls plain Python in policy_assistant/, and sends the result."""
