from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smartcoop.core.roles import Permission
from smartcoop.core.views import permission_required


@login_required
def member_index(request):
    return render(request, "members/member_index.html")


@permission_required(Permission.VIEW_MEMBERS_OF_OFFICE)
def staff_index(request):
    return render(request, "members/staff_index.html")
