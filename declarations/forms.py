from django import forms
from django.utils.translation import gettext_lazy as _


class AnswerUploadForm(forms.Form):
    answer = forms.FileField(label=_("Answer file of the authority"))

    def clean_answer(self):
        upload = self.cleaned_data["answer"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
