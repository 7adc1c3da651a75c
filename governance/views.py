from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smartcoop.core.roles import Permission
from smartcoop.core.views import permission_required


@login_required
def member_index(request):
    return render(request, "governance/member_index.html")


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_index(request):
    return render(request, "governance/staff_index.html")
