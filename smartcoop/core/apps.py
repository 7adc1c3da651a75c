from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "smartcoop.core"
    label = "core"
    verbose_name = "smartcoop core"

    def ready(self) -> None:
        from . import dashboard, navigation  # noqa: F401  (register the core's menus and figures)
