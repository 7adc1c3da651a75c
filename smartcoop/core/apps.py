from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "smartcoop.core"
    label = "core"
    verbose_name = "smartcoop core"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (registers the core's menu entries)
