from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smartcoop.core.roles import Permission
from smartcoop.core.views import permission_required


@login_required
def member_index(request):
    return render(request, "activities/member_index.html")


@permission_required(Permission.VALIDATE_ACTIVITIES)
def staff_index(request):
    return render(request, "activities/staff_index.html")
