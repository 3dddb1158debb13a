# 中文（简体）消息目录：每一条给人读的文字都在这里，与 en.ftl 一一对应（键相同，参数相同）。
# 键与参数名是机器代码，不翻译；{ $name } 是参数。修改时请同时修改 en.ftl。

## 问题详情（RFC 9457）的标题，按 HTTP 状态码

problem-400 = 请求有误
problem-401 = 未认证
problem-403 = 无权操作
problem-404 = 未找到
problem-405 = 方法不允许
problem-408 = 请求超时
problem-409 = 冲突
problem-410 = 已不再提供
problem-413 = 请求体过大
problem-415 = 不支持的媒体类型
problem-422 = 无法处理的请求
problem-429 = 请求过多
problem-431 = 请求头过大
problem-500 = 服务器内部错误
problem-503 = 服务暂不可用
problem-507 = 存储空间不足
problem-other = 错误

## 通用的问题说明

problem-validation = 请求未通过校验
problem-internal = 服务器内部发生错误，已记录日志
problem-method-not-allowed = 此资源不支持该请求方法
problem-timeout = 请求耗时过长，已被放弃
problem-body-too-large = 请求体超过 1 MiB 的上限
problem-no-such-resource = 资源不存在
problem-no-such-route = 没有这个路由
problem-head-too-large = 一个请求最多可带 { $headers } 个请求头，合计不超过 { $kib } KiB
problem-db-unavailable = 数据库暂不可用，请稍后重试
problem-db-full = 数据库已无剩余空间，本次请求未写入任何内容

## 导出（CSV 列名与单元格）

export-yes = 是
export-no = 否
export-column-id = 编号
export-column-case-id = 案件编号
export-column-sanction-id = 处理编号
export-column-subject-code = 主体代码
export-column-subject-kind = 主体类型
export-column-subject-name = 主体名称
export-column-region = 地区
export-column-status = 状态
export-column-state = 案件状态
export-column-standing = 信用状态
export-column-listed-on = 列入日期
export-column-expires-on = 届满日期
export-column-ended-on = 终止日期
export-column-end-kind = 终止方式
export-column-published = 是否公开
export-column-automatic = 自动生成
export-column-case-ids = 案件编号
export-column-reason = 事由
export-column-measures = 惩戒措施
export-column-legal-basis = 依据
export-column-exit-conditions = 退出条件
export-column-remedies = 救济途径
export-column-type-code = 违规类型代码
export-column-occurred-on = 发生日期
export-column-discovered-on = 发现日期
export-column-description = 违规事实
export-column-amount-involved = 涉及金额（元）
export-column-amount-to-recover = 应追回金额（元）
export-column-institution-code = 所在机构代码
export-column-major = 重大案件
export-column-transferred = 移送司法
export-column-points = 记分
export-column-approved-at = 审定日期
export-column-sanction-ids = 处理措施编号
export-column-sanction-type = 处理类型
export-column-scope = 范围
export-column-starts-on = 开始日期
export-column-ends-on = 结束日期
export-column-ban-until = 禁止重新备案至
export-column-amount = 金额（元）
export-column-lifted-on = 解除日期
export-column-may-be-paid = 可结算医保费用
export-column-outpatient-general = 普通门诊处方权
export-column-outpatient-chronic = 门诊慢特病处方权
export-column-inpatient = 住院医嘱权
export-column-disputed = 申诉中
export-column-as-of = 日期

## 页面：曝光台

public-list-title = 医疗保障领域严重失信主体名单（曝光台）
public-list-heading = 医疗保障领域严重失信主体名单
public-list-intro = 曝光台：在列期间公开，个人信息已脱敏。
public-list-q-placeholder = 名称或代码（个人按页面显示的脱敏形式）
public-list-q-label = 名称
public-list-region-placeholder = 地区代码，如 370102
public-list-region-label = 地区
public-list-search = 搜索
public-list-empty = 没有符合条件的名单信息
public-list-next = 下一页
public-list-listed-on = 列入 { $date }
public-list-until = 至 { $date }
public-list-reason = 事由
public-list-basis = 依据
public-list-measures = 惩戒措施
public-list-exit = 退出条件
public-list-remedies = 救济途径

## 页面：行政处理告知书

date-long = { $year }年{ $month }月{ $day }日
notice-title-case = 医疗保障行政处理告知书
notice-title-sanction = 医疗保障行政处理告知书
notice-title-black = 医疗保障领域严重失信主体名单列入告知书
notice-number-case = 医保处告〔{ $year }〕第{ $id }号
notice-number-sanction = 医保罚告〔{ $year }〕第{ $id }号
notice-number-black = 医保失信告〔{ $year }〕第{ $id }号
notice-addressee = { $name }（当事人）：
notice-section-subject = 一、当事人
notice-section-facts = 二、违规事实
notice-section-basis = 三、法律依据
notice-section-decision = 四、处理决定
notice-section-remedies = 五、救济途径及期限
notice-subject-name = 名称
notice-subject-code = 代码
notice-subject-kind = 类型
notice-subject-region = 地区
notice-fact = 经查，{ $date }，当事人存在“{ $type }”行为（案件编号 { $id }）：{ $description }。涉及医保基金 { $involved } 元，应追回 { $recover } 元。
notice-decided-on = 决定日期
notice-points = 记分
notice-no-sanction = 本案未作出其他处理措施。
notice-sanction = 处理措施（编号 { $id }）：{ $type }，自 { $from } 起至 { $until }。理由：{ $reason }
notice-open-ended = 另行决定之日
notice-listed-on = 列入日期
notice-expires-on = 届满日期
notice-measures = 惩戒措施
notice-reason = 列入事由
notice-exit = 退出条件
notice-remedies-note = 当事人对本决定不服的，可在上述期限内提出申诉、依法申请行政复议或者提起行政诉讼；复议、诉讼期间不停止决定的执行。符合信用修复条件的，可自所列日期起申请信用修复。
notice-authority = 医疗保障行政部门
notice-issued = 打印日期：{ $date }
remedy-window = { $from } 至 { $until }
remedy-window-open = 自 { $from } 起可申请

## 页面与导出所用的类别名称（按机器代码）

label-subject-kind-institution = 定点医疗机构
label-subject-kind-pharmacy = 定点零售药店
label-subject-kind-practitioner = 医保相关人员
label-subject-kind-insured = 参保人
label-list-measure-public_disclosure = 公开曝光
label-list-measure-key_monitoring = 重点监管
label-list-measure-no_new_agreement = 限制新签服务协议
label-list-measure-no_honours_or_subsidies = 限制评优评先及财政支持
label-list-measure-settlement_restriction = 限制联网结算
label-list-measure-reduced_inspection = 减少检查频次
label-list-measure-public_commendation = 公开表扬
label-remedy-appeal = 申诉
label-remedy-administrative_review = 行政复议
label-remedy-litigation = 行政诉讼
label-remedy-credit_repair = 信用修复
label-sanction-type-interview = 约谈
label-sanction-type-rectification = 限期整改
label-sanction-type-recovery = 追回违约费用
label-sanction-type-penalty = 违约金
label-sanction-type-settlement_suspension = 暂停结算
label-sanction-type-agreement_suspension = 暂停服务协议
label-sanction-type-agreement_termination = 解除服务协议
label-sanction-type-qualification_suspension = 暂停医保支付资格
label-sanction-type-qualification_termination = 终止医保支付资格
label-sanction-type-administrative_penalty = 行政处罚
label-sanction-type-judicial_transfer = 移送司法机关

## 举报

tip-text-too-long = 不得超过 { $max } 个字符
tip-region-invalid = 须为6位行政区划代码
tip-subject-required = 请说明被举报对象：填写代码，或填写名称和地区
tip-facts-required = 请说明举报事项
tip-evidence-too-many = 证据线索最多 { $max } 条
tip-evidence-empty = 证据线索不能为空
tip-no-key = 本服务未配置加密密钥（MEDCREDIT_TIP_KEY），无法保存联系方式和收款信息；请不填写这些信息后提交
tip-not-found = 举报编号或查询码不正确
tip-claim-empty = 请填写收款信息，或声明放弃奖励
tip-claim-both = 填写收款信息与放弃奖励只能选择其一
tip-claim-closed = 该举报的奖励已不能再申领
tip-no-reward = 该举报尚无拟发奖励
tip-already-decided = 该举报已作出受理决定
tip-reason-required = 不予受理须说明理由（1至2000个字符）
tip-subject-code-required = 受理举报须填写被举报主体代码
tip-subject-unknown = 无此代码的主体
tip-not-handler = 仅承办该举报的稽核人员或管理员可以办理
tip-not-open = 仅已受理且未办结的举报可以关联案件
tip-case-unknown = 无此编号的案件
tip-case-linked = 该案件已关联到此举报
tip-reward-not-proposed = 该举报没有待审核的拟发奖励
tip-reward-amount-invalid = 调整奖励须填写 amount_fen，且在0至政策上限之间
tip-reference-invalid = 为必填项（1至200个字符）
tip-paid-on-future = 不得晚于今天
tip-reward-not-approved = 仅审核通过的奖励可以登记发放
tip-too-large = 举报内容不得超过64 KiB
tip-rate-limited = 本客户端提交举报过于频繁，请 { $seconds } 秒后再试
export-column-tip-number = 举报编号
export-column-tip-received-at = 收到时间
export-column-tip-decision-due = 受理决定期限
export-column-tip-overdue = 是否逾期
export-column-tip-handler = 承办人
export-column-tip-cases = 关联案件
export-column-tip-closed-at = 办结时间
export-column-tip-reward-state = 奖励状态
export-column-tip-reward-yuan = 奖励金额（元）
export-column-tip-paid-on = 发放日期
tip-form-title = 欺诈骗取医保基金行为举报
tip-form-heading = 欺诈骗取医保基金行为举报
tip-form-intro = 任何人均可举报，可以匿名。联系方式加密保存，仅承办您举报的稽核人员可见。
tip-form-subject-code = 被举报机构、药店或人员代码（如知道）
tip-form-subject-name = 被举报对象名称（不知道代码时填写）
tip-form-region = 所在地区代码（6位）
tip-form-facts = 举报事项
tip-form-occurred = 发生时间
tip-form-place = 发生地点
tip-form-evidence = 您掌握的证据线索（每行一条）
tip-form-wants-reward = 举报经查实后，我希望领取举报奖励
tip-form-contact = 联系方式（选填）
tip-form-submit = 提交举报
tip-form-errors = 请更正以下内容：
tip-receipt-title = 举报已收到
tip-receipt-heading = 您的举报已收到
tip-receipt-number = 举报编号
tip-receipt-code = 查询码
tip-receipt-warning = 请抄下并妥善保管查询码。查询码只显示这一次，丢失后无法找回；查询办理进度和申领奖励都需要它。
tip-receipt-due = 医保部门将在 { $date } 前决定是否受理。
