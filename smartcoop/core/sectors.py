"""The twelve sectors the cooperative reports on (annual report 2020), shared by members'
professions and Activities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    IMAGE_SOUND_STAGE = "image_sound_stage", _("Image, sound and stage")
    COSTUME_MAKEUP_SET = "costume_makeup_set", _("Costume, make-up, set and props")
    IT_DESIGN_WRITING = "it_design_writing", _("IT, graphic design, language and writing")
    TRAINING = "training", _("Training and teaching")
    WELLBEING_HEALTH = "wellbeing_health", _("Wellbeing and health")
    MUSIC = "music", _("Music and singing")
    AUDIOVISUAL = "audiovisual", _("Audiovisual")
    VISUAL_ARTS_CRAFTS = "visual_arts_crafts", _("Visual and graphic arts and crafts")
    PERFORMING_LITERARY = "performing_literary", _("Performing and literary arts")
    ARCHITECTURE_FASHION = "architecture_fashion", _("Architecture, fashion, design, decoration")
    ARTISTIC_RELATED = "artistic_related", _("Functions related to artistic professions")
    OTHER = "other", _("Other professions")
